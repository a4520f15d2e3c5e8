"""Staff JSON API for feedback (``/api/v1/feedback/``): scoped lists and the numbers.

Citizens and apps send feedback through Open311 (``/open311/v2/``); this
router serves the console's clients and other systems that read.
"""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError
from grassroots.areas.models import Area
from grassroots.core import inputs

from . import stats
from .models import Feedback

router = Router(tags=["feedback"])


class FeedbackOut(Schema):
    code: str
    category: str
    description: str
    channel: str
    status: str
    area: str
    area_path: str
    received_at: datetime
    due_date: date
    answered_at: datetime | None
    overdue: bool
    escalated: bool
    possible_duplicate_of: str | None


def _out(item: Feedback, today: date) -> dict:
    return {
        "code": item.code,
        "category": item.category.code,
        "description": item.description,
        "channel": item.channel,
        "status": item.status,
        "area": item.area.name,
        "area_path": item.area.path,
        "received_at": item.received_at,
        "due_date": item.due_date,
        "answered_at": item.answered_at,
        "overdue": item.is_overdue(today),
        "escalated": item.escalated_at is not None,
        "possible_duplicate_of": item.possible_duplicate_of.code
        if item.possible_duplicate_of is not None
        else None,
    }


@router.get(
    "/", response=list[FeedbackOut], auth=STAFF, summary="Feedback in your area"
)
def list_feedback(
    request,
    status: str | None = None,
    overdue: bool = False,
    q: str | None = None,
    limit: int = 100,
    offset: inputs.Offset = 0,
):
    """Return feedback of the areas you may see, newest first."""
    today = timezone.localdate()
    items = scope.scope(
        Feedback.objects.select_related("category", "area", "possible_duplicate_of"),
        request.user,
        Capability.VIEW,
    )
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.overdue(today)
    if q:
        items = items.filter(description__icontains=q[:100]) | items.filter(
            code=q.strip().upper()
        )
    limit = max(1, min(limit, 500))
    return [
        _out(i, today) for i in items.order_by("-received_at")[offset : offset + limit]
    ]


@router.get("/stats", auth=STAFF, summary="Feedback figures of an area and period")
def feedback_stats(request, area: str, start: inputs.Date, end: inputs.Date):
    """Return received, handled on time and late, overdue, time to answer (see stats.summary)."""
    target = get_object_or_404(Area, path=area.strip("/") + "/")
    scope.require(request.user, Capability.VIEW, target)
    if end < start or (end - start).days > 3660:
        raise ApiError(
            400, "invalid_period", "The period must run forwards, at most 10 years."
        )
    return stats.summary(target, start, end).as_dict()
