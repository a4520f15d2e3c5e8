"""The open month read from the worker's provisional snapshots, and when it is not."""

import datetime

from django.utils import timezone

from grassroots.indicators import periods, registry, service, snapshots
from grassroots.indicators.models import ProvisionalSnapshot, Snapshot
from grassroots.testing import make_user
from grassroots.training.models import Topic
from grassroots.training.tests import builders as b


def this_year() -> tuple[datetime.date, datetime.date]:
    return periods.year_to_date()


def parts(measure) -> tuple:
    return (measure.numerator, measure.denominator)


def test_this_year_reads_the_same_values_from_provisional_snapshots(tree, roster):
    indicator = registry.get("officials_trained")
    start, end = this_year()
    live = service.measure(indicator, tree.province, start, end)
    written = snapshots.refresh_provisional(codes=["officials_trained"])
    # The province and its communes (and the other province's), one row each.
    assert written == ProvisionalSnapshot.objects.count() >= 4
    assert parts(service.measure(indicator, tree.province, start, end)) == parts(live)


def test_a_change_shows_after_the_refresh_or_at_once_when_asked_live(tree, roster):
    indicator = registry.get("officials_trained")
    start, end = this_year()
    snapshots.refresh_provisional(codes=["officials_trained"])
    before = service.measure(indicator, tree.province, start, end)
    # Someone added to the roster without an action (an import being written):
    # the page shows the figures of the last refresh, and says when they are from.
    b.official(tree.commune_a)
    with service.reading():
        assert parts(service.measure(indicator, tree.province, start, end)) == parts(
            before
        )
        assert service.provisional_as_of() is not None
    with service.reading(live=True):
        now = service.measure(indicator, tree.province, start, end)
        assert service.provisional_as_of() is None
    assert now.denominator == before.denominator + 1
    snapshots.refresh_provisional(codes=["officials_trained"])
    assert parts(service.measure(indicator, tree.province, start, end)) == parts(now)


def test_rows_older_than_the_refresh_period_allows_are_not_read(tree, roster):
    indicator = registry.get("officials_trained")
    start, end = this_year()
    snapshots.refresh_provisional(codes=["officials_trained"])
    b.official(tree.commune_a)
    assert not snapshots.provisional_due()
    ProvisionalSnapshot.objects.update(
        computed_at=timezone.now() - snapshots.provisional_max_age()
    )
    assert snapshots.provisional_due()
    with service.reading():
        got = service.measure(indicator, tree.province, start, end)
        assert service.provisional_as_of() is None
    assert (
        got.denominator
        == service.measure(indicator, tree.province, start, end).denominator
    )


def test_an_action_that_marks_stale_shows_at_once(tree, roster):
    from grassroots.training import actions
    from grassroots.training.models import Status

    indicator = registry.get("officials_trained")
    start, end = this_year()
    snapshots.refresh_provisional(codes=["officials_trained"])
    before = service.measure(indicator, tree.province, start, end)
    attendance = b.completed(
        roster["a2"],
        tree.commune_a,
        Topic.AUTHORING,
        end,
        status=Status.ATTENDED,
        completed_on=None,
    )
    actions.record_attendance(
        None, attendance, status=Status.COMPLETED, completed_on=end
    )
    after = service.measure(indicator, tree.province, start, end)
    assert after.numerator == before.numerator + 1
    # Only the commune's and its province's rows went; the other province keeps its.
    assert not ProvisionalSnapshot.objects.filter(area=tree.commune_a).exists()
    assert ProvisionalSnapshot.objects.filter(area=tree.commune_b).exists()


def test_a_flow_adds_the_closed_months_and_the_open_month_so_far(tree):
    """Closed months from monthly snapshots, the open month from the provisional row."""
    indicator = registry.get("feedback_handled")
    start, end = this_year()
    closed = [m for m in periods.months(start, end) if periods.is_closed(m)]
    for month in closed:
        Snapshot.objects.create(
            indicator="feedback_handled",
            area=tree.province,
            area_path=tree.province.path,
            month=month,
            numerator=1,
            denominator=2,
        )
    ProvisionalSnapshot.objects.create(
        indicator="feedback_handled",
        area=tree.province,
        area_path=tree.province.path,
        month=periods.month_start(end),
        through=end,
        numerator=3,
        denominator=4,
    )
    got = service.measure(indicator, tree.province, start, end)
    assert parts(got) == (len(closed) + 3, 2 * len(closed) + 4)
    # The open month alone (the trend's last point) reads the row too.
    month = service.measure(indicator, tree.province, periods.month_start(end), end)
    assert parts(month) == (3, 4)
    # A period ending before today, or starting inside the month, is live.
    if end.day > 1:
        day_before = end - datetime.timedelta(days=1)
        assert parts(service.measure(indicator, tree.province, start, day_before)) == (
            len(closed),
            2 * len(closed),
        )
        assert parts(service.measure(indicator, tree.province, end, end)) == (0, 0)


def test_the_dashboard_says_when_the_open_month_was_computed(client, tree, roster):
    snapshots.refresh_provisional()
    client.force_login(make_user("viewer", tree.province))
    body = client.get("/console/indicators/").content.decode()
    assert 'id="provisional-note"' in body
    stamp = timezone.localtime(
        ProvisionalSnapshot.objects.order_by("computed_at").first().computed_at
    )
    assert stamp.strftime("%H:%M %d/%m/%Y") in body
    assert "live=1" in body
    live = client.get("/console/indicators/", {"live": "1"}).content.decode()
    assert 'id="provisional-note"' not in live
    # A closed period has nothing provisional to explain.
    closed = client.get(
        "/console/indicators/", {"from": "01/01/2025", "to": "31/12/2025"}
    ).content.decode()
    assert 'id="provisional-note"' not in closed


def test_the_setting_at_zero_turns_them_off(settings, tree, roster):
    settings.GRASSROOTS_INDICATORS_PROVISIONAL_MINUTES = 0
    snapshots.refresh_provisional(codes=["officials_trained"])
    assert not snapshots.provisional_due()
    with service.reading():
        start, end = this_year()
        service.measure(registry.get("officials_trained"), tree.province, start, end)
        assert service.provisional_as_of() is None


def test_the_worker_refreshes_them_when_due_and_not_before(tree, roster):
    from grassroots.indicators.tasks import refresh_provisional_snapshots

    refresh_provisional_snapshots.call_local()
    first = set(ProvisionalSnapshot.objects.values_list("pk", "computed_at"))
    assert first
    refresh_provisional_snapshots.call_local()
    assert set(ProvisionalSnapshot.objects.values_list("pk", "computed_at")) == first
    ProvisionalSnapshot.objects.update(
        computed_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    refresh_provisional_snapshots.call_local()
    newest = ProvisionalSnapshot.objects.order_by("computed_at").first().computed_at
    assert timezone.now() - newest < datetime.timedelta(minutes=1)
