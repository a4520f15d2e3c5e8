"""Schedules play by the device's clock: a clock off by more than a few seconds is an alarm."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import ClusterLog, ClusterStatus, LogKind
from grassroots.testing import make_user

from .factories import make_cluster, state

pytestmark = pytest.mark.django_db


def record(cluster, message):
    reports.record_reports([(cluster.pk, message, timezone.now())], [])


def clock_alarms(cluster) -> list[ClusterLog]:
    return list(
        ClusterLog.objects.filter(
            cluster=cluster, kind=LogKind.ALARM, data__code="clock_skew"
        )
    )


def test_a_clock_off_by_more_than_the_limit_raises_one_alarm_per_crossing(
    tree, settings
):
    settings.GRASSROOTS_CLOCK_OFFSET_ALARM_S = 5
    cluster = make_cluster(tree.hamlet_a1)
    d = cluster.code
    record(cluster, state(d, seq=1, clock_offset_ms=120.0))
    assert ClusterStatus.objects.get(cluster=cluster).clock_offset_ms == 120.0
    assert clock_alarms(cluster) == []

    record(cluster, state(d, seq=2, clock_offset_ms=-42_000.0))
    [alarm] = clock_alarms(cluster)
    assert "42.0" in alarm.message
    record(cluster, state(d, seq=3, clock_offset_ms=-43_000.0))
    assert len(clock_alarms(cluster)) == 1, "still off: no second alarm"
    record(cluster, state(d, seq=4, clock_offset_ms=10.0))
    record(cluster, state(d, seq=5, clock_offset_ms=9_000.0))
    assert len(clock_alarms(cluster)) == 2, "off again: a new alarm"


def test_without_its_own_estimate_the_device_time_is_compared_with_ours(tree):
    cluster = make_cluster(tree.hamlet_a1)
    record(cluster, state(cluster.code, ts=time.time() + 90))
    offset = ClusterStatus.objects.get(cluster=cluster).clock_offset_ms
    assert 89_000 < offset < 91_000
    assert len(clock_alarms(cluster)) == 1


def test_the_cluster_page_shows_the_offset_and_says_when_it_is_wrong(tree, client):
    cluster = make_cluster(tree.hamlet_a1)
    record(cluster, state(cluster.code, seq=1, clock_offset_ms=31_500.0))
    client.force_login(make_user("administrator", tree.province, username="adm"))
    page = client.get(f"/console/loudspeakers/clusters/inspect/{cluster.pk}/")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert (
        "31500 ms" in html
        and "gr-badge gr-alert" in html.split("gr-clock-offset")[1][:300]
    )
