"""Staff lists of the feedback app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.testing.scope import ScopedEndpoint


def _feedback(area: Area, marker: str):
    from grassroots.feedback import actions
    from grassroots.feedback.models import CalendarDay, Category, Channel
    from grassroots.feedback.seed import seed_calendar, seed_categories

    if not Category.objects.exists():
        seed_categories(Category)
        seed_calendar(CalendarDay)
    province = area if area.level == Level.PROVINCE else area.ancestors().first()
    assert province is not None
    item = actions.submit(
        actions.Submission(
            category=Category.objects.get(code="moi-truong"),
            description=f"{marker} rác ở đầu hẻm chưa thu gom",
            channel=Channel.WEB,
            place=area if area.level != Level.PROVINCE else None,
        ),
        province=province,
    )
    return item


ENDPOINTS = [
    ScopedEndpoint(
        "console feedback",
        "/console/feedback/?q={marker_prefix}",
        _feedback,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
    ScopedEndpoint(
        "api feedback",
        "/api/v1/feedback/?q={marker_prefix}",
        _feedback,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
        json=True,
        refused=(401, 403),
    ),
]
