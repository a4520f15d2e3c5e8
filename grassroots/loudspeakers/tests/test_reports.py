"""What the gateway records from device reports: in order, once, with offline detection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import (
    Ack,
    ClusterLog,
    ClusterStatus,
    LogKind,
    PlayEvent,
)

from .factories import events, make_cluster, play, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(tree):
    return make_cluster(tree.hamlet_a1)


def record(cluster, *states, batches=()):
    now = timezone.now()
    return reports.record_reports(
        [(cluster.pk, s, now) for s in states], [(cluster.pk, b, now) for b in batches]
    )


def test_states_apply_in_device_order_whatever_the_arrival_order(cluster):
    d = cluster.code
    outcome = record(
        cluster,
        state(d, seq=3, volume=30),
        state(d, seq=1, volume=10),
        state(d, seq=2, volume=20),
    )
    assert ClusterStatus.objects.get(cluster=cluster).volume == 30
    assert outcome.states_applied == 3
    outcome = record(cluster, state(d, seq=2, volume=99))
    assert outcome.states_stale == 1
    assert ClusterStatus.objects.get(cluster=cluster).volume == 30


def test_the_will_ranks_after_its_connection_and_before_the_next(cluster):
    d = cluster.code
    record(cluster, state(d, conn=1, seq=5))
    record(cluster, state(d, conn=1, online=False, will=True))
    status = ClusterStatus.objects.get(cluster=cluster)
    assert not status.online and status.offline_reason == "will"
    # A late state of the dead connection does not bring it back online.
    record(cluster, state(d, conn=1, seq=6))
    assert not ClusterStatus.objects.get(cluster=cluster).online
    record(cluster, state(d, conn=2, seq=1))
    assert ClusterStatus.objects.get(cluster=cluster).online
    # The old connection's will, delivered late, is ignored.
    record(cluster, state(d, conn=1, online=False, will=True))
    assert ClusterStatus.objects.get(cluster=cluster).online
    kinds = list(
        ClusterLog.objects.filter(cluster=cluster)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [LogKind.ONLINE, LogKind.OFFLINE, LogKind.ONLINE]


def test_a_new_boot_wins_by_device_time(cluster):
    d = cluster.code
    now = timezone.now().timestamp()
    record(cluster, state(d, boot="old", conn=9, seq=9, ts=now - 60))
    record(cluster, state(d, boot="new", conn=1, seq=1, ts=now, volume=5))
    record(cluster, state(d, boot="old", conn=9, online=False, will=True, ts=now - 50))
    status = ClusterStatus.objects.get(cluster=cluster)
    assert status.online and status.boot == "new" and status.volume == 5


def test_play_events_and_acks_are_counted_once(cluster):
    d = cluster.code
    batch = events(
        d,
        "b1",
        [
            play("e1", "started"),
            play("e2", "finished"),
            {
                "id": "a1",
                "kind": "ack",
                "at": play("x")["at"],
                "ref": "c1",
                "ref_type": "command",
                "status": "ok",
            },
        ],
    )
    first = record(cluster, batches=[batch])
    again = record(
        cluster,
        batches=[events(d, "b2", batch["events"]), events(d, "b3", batch["events"])],
    )
    assert PlayEvent.objects.filter(cluster=cluster).count() == 2
    assert Ack.objects.filter(cluster=cluster).count() == 1
    assert first.events_new == 2 and again.events_new == 0
    assert [r[1] for r in again.receipts] == ["b2", "b3"]
    assert again.receipts[0][2] == ["e1", "e2", "a1"]


def test_alarms_go_to_the_history_once(cluster):
    d = cluster.code
    alarm = {
        "id": "al1",
        "kind": "alarm",
        "at": play("x")["at"],
        "code": "overheat",
        "severity": "warning",
        "detail": "72 °C",
    }
    record(cluster, batches=[events(d, "b1", [alarm])])
    record(cluster, batches=[events(d, "b2", [alarm])])
    assert ClusterLog.objects.filter(cluster=cluster, kind=LogKind.ALARM).count() == 1


def test_a_silent_cluster_goes_offline_and_raises_one_alert(cluster):
    record(cluster, state(cluster.code))
    ClusterStatus.objects.filter(cluster=cluster).update(
        last_seen_at=timezone.now() - timedelta(seconds=200)
    )
    assert reports.mark_silent_offline(100) == 1
    status = ClusterStatus.objects.get(cluster=cluster)
    assert not status.online and status.offline_reason == "silent"
    assert reports.raise_offline_alerts(300) == []
    later = timezone.now() + timedelta(seconds=400)
    assert reports.raise_offline_alerts(300, now=later) == [cluster.pk]
    assert reports.raise_offline_alerts(300, now=later) == []
    assert ClusterLog.objects.filter(cluster=cluster, kind=LogKind.ALERT).count() == 1
    # Back online: the alert clears and a later outage alerts again.
    record(cluster, state(cluster.code, conn=2))
    assert ClusterStatus.objects.get(cluster=cluster).alerted_at is None


def test_maintenance_clusters_raise_no_alert(cluster):
    record(cluster, state(cluster.code, online=False, will=True))
    cluster.state = "maintenance"
    cluster.save()
    assert (
        reports.raise_offline_alerts(1, now=timezone.now() + timedelta(seconds=10))
        == []
    )


def test_a_device_behind_the_schedule_sent_is_flagged(cluster, outbox):
    from grassroots.loudspeakers import actions

    from .factories import item

    actions.send_schedule(None, cluster, [item(start_in=60)])
    outcome = record(cluster, state(cluster.code, schedule_version=None))
    assert outcome.behind == [cluster.pk]
    assert reports.latest_schedules(outcome.behind)[0][1]["version"] == 1
    assert record(cluster, state(cluster.code, seq=2, schedule_version=1)).behind == []


def test_the_gateway_sends_the_schedule_again_at_most_every_few_minutes(
    cluster, outbox
):
    from grassroots.loudspeakers import actions
    from grassroots.loudspeakers.gateway.service import Gateway

    from .factories import item

    actions.send_schedule(None, cluster, [item(start_in=60)])
    sent = []

    class Client:
        def publish(self, topic, payload, qos=0, retain=False):
            sent.append((topic, retain))

    gateway = Gateway(url="mqtt://127.0.0.1:9", share_group="")
    gateway.client = Client()
    outcome = record(cluster, state(cluster.code, schedule_version=None))
    gateway._send_receipts(outcome)
    gateway._send_receipts(record(cluster, state(cluster.code, seq=2)))
    assert sent == [(gateway.topics.schedule(cluster.code), True)]
