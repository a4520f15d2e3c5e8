"""Channel events are written with the change and delivered until every handler took them.

A handler that fails is called again later, the others not twice; past the
limit the event is shown to administrators; and even an event lost for good
cannot keep a withdrawn bulletin on the loudspeakers.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from grassroots.broadcasts import compiler
from grassroots.broadcasts.channel import on_bulletin as loudspeakers_handler
from grassroots.broadcasts.models import ProgrammeItem
from grassroots.bulletins import actions, channels
from grassroots.bulletins.models import ChannelDelivery, DeliveryState
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Schedule
from grassroots.loudspeakers.tests.conftest import outbox  # noqa: F401 - fixture
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

from .builders import make_published

pytestmark = pytest.mark.django_db


class Flaky:
    """A handler that fails ``failures`` times, then takes the event."""

    def __init__(self, failures: int):
        self.failures = failures
        self.calls: list[str] = []

    def __call__(self, event):
        self.calls.append(event.event)
        if len(self.calls) <= self.failures:
            raise RuntimeError("the channel is down")


@pytest.fixture
def flaky():
    handlers = []

    def make(failures: int, channel: str = "portal") -> Flaky:
        handler = Flaky(failures)
        channels.register(channel, handler)
        handlers.append((channel, handler))
        return handler

    yield make
    for channel, handler in handlers:
        channels.unregister(channel, handler)


def _due_now(row: ChannelDelivery) -> None:
    ChannelDelivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_an_event_exists_only_if_its_change_was_committed(tree, people, committed):
    with committed():
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    assert list(
        ChannelDelivery.objects.filter(bulletin=bulletin).values_list("event", "state")
    ) == [("published", DeliveryState.DELIVERED)]
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
        raise RuntimeError("the request failed after the withdrawal")
    assert not ChannelDelivery.objects.filter(event="withdrawn").exists()


def test_a_failing_handler_is_retried_and_the_others_are_not_called_twice(
    tree, people, committed, flaky
):
    down = flaky(2)
    fine = flaky(0, channel="portal")
    with committed():
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    row = ChannelDelivery.objects.get(bulletin=bulletin)
    assert row.state == DeliveryState.PENDING
    assert row.attempts == 1 and "the channel is down" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert channels.deliver() == 0, "not due yet"
    _due_now(row)
    assert channels.deliver() == 0
    _due_now(row)
    assert channels.deliver() == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.DELIVERED and row.attempts == 3
    assert down.calls == ["published"] * 3
    assert fine.calls == ["published"], "a handler that took it is not called again"


def test_past_the_limit_administrators_see_the_failed_event(
    tree, people, committed, flaky, client
):
    flaky(100)
    with committed():
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, title="Tiêm phòng"
        )
    row = ChannelDelivery.objects.get(bulletin=bulletin)
    for _ in range(channels.MAX_ATTEMPTS):
        _due_now(row)
        channels.deliver()
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED
    assert row.attempts == channels.MAX_ATTEMPTS

    admin = make_user("administrator", tree.commune_a, username="adm_a")
    client.force_login(admin)
    page = client.get("/console/").content.decode()
    assert "Tiêm phòng" in page
    outsider = make_user("administrator", tree.commune_b, username="adm_b")
    client.force_login(outsider)
    assert "Tiêm phòng" not in client.get("/console/").content.decode()


def test_a_withdrawal_supersedes_a_publication_still_waiting(
    tree, people, committed, flaky
):
    down = flaky(1)
    with committed():
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    with committed():
        actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    states = dict(
        ChannelDelivery.objects.filter(bulletin=bulletin).values_list("event", "state")
    )
    assert states == {
        "published": DeliveryState.SUPERSEDED,
        "withdrawn": DeliveryState.DELIVERED,
    }
    assert down.calls == ["published", "withdrawn"]


def test_a_lost_withdrawal_cannot_keep_a_bulletin_on_the_loudspeakers(
    tree,
    people,
    outbox,  # noqa: F811
    committed,
):
    cluster = make_cluster(tree.hamlet_a1)
    with committed():
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, level="priority"
        )
    assert ProgrammeItem.objects.filter(bulletin=bulletin, is_active=True).exists()
    [entry] = (
        Schedule.objects.filter(cluster=cluster).latest("version").document["items"]
    )
    assert playables.bulletin_of(entry["id"]) == bulletin.pk

    # The loudspeakers never hear of the withdrawal (the handler is gone, the
    # process died, the event failed for good): the item stays active...
    channels.unregister("loudspeakers", loudspeakers_handler)
    try:
        with committed():
            actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    finally:
        channels.register("loudspeakers", loudspeakers_handler)
    assert ProgrammeItem.objects.filter(bulletin=bulletin, is_active=True).exists()
    # ...but the next compile of any cluster leaves it out.
    compiled, schedules = compiler.compile_for([cluster])
    assert schedules[cluster] == []
    with committed():
        compiler.compile_and_send([cluster.pk])
    assert Schedule.objects.filter(cluster=cluster).latest("version").items == 0


def test_a_delivery_taken_by_a_killed_worker_is_taken_again_within_a_minute(
    tree, people, committed, flaky
):
    down = flaky(1)
    with committed():
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    row = ChannelDelivery.objects.get(bulletin=bulletin)
    _due_now(row)
    # A worker takes it and is killed before it finishes.
    taken_at = timezone.now()
    assert channels._claim(row.pk, taken_at)
    assert channels.deliver() == 0, "not taken twice while the lease runs"
    row.refresh_from_db()
    assert row.claimed_until - taken_at <= datetime.timedelta(minutes=1)
    ChannelDelivery.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert channels.deliver() == 1
    assert down.calls == ["published", "published"]


def test_a_long_delivery_renews_its_lease_before_each_handler(
    tree, people, committed, flaky
):
    leases = []

    def slow(event):
        # The lease has nearly run out by the end of this handler.
        ChannelDelivery.objects.filter(bulletin_id=event.bulletin_id).update(
            claimed_until=timezone.now() + datetime.timedelta(seconds=1)
        )

    def next_one(event):
        row = ChannelDelivery.objects.get(bulletin_id=event.bulletin_id)
        leases.append(row.claimed_until - timezone.now())

    channels.register("portal", slow)
    channels.register("portal", next_one)
    try:
        with committed():
            make_published(people.editor_a, people.approver_a, tree.commune_a)
    finally:
        channels.unregister("portal", slow)
        channels.unregister("portal", next_one)
    [lease] = leases
    assert lease > datetime.timedelta(seconds=channels.CLAIM_S - 10)
