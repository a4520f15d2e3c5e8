"""The coverage table, fed by the gateway's real write path from hand-built play events."""

from __future__ import annotations

import datetime
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots.accounts.models import AuditEntry
from grassroots.dissemination import coverage
from grassroots.dissemination.models import AreaCoverage, ClusterCoverage
from grassroots.indicators import periods
from grassroots.indicators.models import Snapshot
from grassroots.loudspeakers.models import PlayEvent

from .builders import cluster, event, publish, store

pytestmark = pytest.mark.django_db


def _row(bulletin, c) -> ClusterCoverage:
    return ClusterCoverage.objects.get(bulletin=bulletin, cluster=c)


def test_replayed_and_duplicate_events_count_once(tree, people):
    bulletin = publish(people, tree.commune_a)
    c = cluster(tree.hamlet_a1)
    now = timezone.now()
    first = event(bulletin, at=now - timedelta(hours=2), event_id="e1")
    second = event(bulletin, at=now - timedelta(hours=1), event_id="e2", ref="2")
    store(c, event(bulletin, "started", at=now - timedelta(hours=2, minutes=1)), first)
    # The device resends the first batch (receipt lost), and repeats itself in one batch.
    store(c, first, second, second)
    store(c, first)
    row = _row(bulletin, c)
    assert (row.finished, row.started) == (2, 1)
    assert row.first_heard_at == first_at(first)
    assert row.last_heard_at == first_at(second)
    hamlet = AreaCoverage.objects.get(bulletin=bulletin, area=tree.hamlet_a1)
    assert (hamlet.finished, hamlet.clusters_heard) == (2, 1)
    assert hamlet.first_heard_at == row.first_heard_at
    assert PlayEvent.objects.filter(cluster=c).count() == 3


def first_at(data: dict) -> datetime.datetime:
    return datetime.datetime.fromisoformat(data["at"].replace("Z", "+00:00"))


def test_two_clusters_of_a_hamlet_add_up(tree, people):
    bulletin = publish(people, tree.commune_a)
    a, b = cluster(tree.hamlet_a1), cluster(tree.hamlet_a1)
    store(a, event(bulletin), event(bulletin, ref="2"))
    store(b, event(bulletin))
    hamlet = AreaCoverage.objects.get(bulletin=bulletin, area=tree.hamlet_a1)
    assert (hamlet.finished, hamlet.clusters_heard) == (3, 2)


def test_failures_keep_the_latest_reason_whatever_the_order_of_arrival(tree, people):
    bulletin = publish(people, tree.commune_a)
    c = cluster(tree.hamlet_a2)
    now = timezone.now()
    store(
        c, event(bulletin, "failed", at=now - timedelta(minutes=5), reason="power off")
    )
    # An older failure arrives late: it is counted, but the latest reason stays.
    store(
        c,
        event(
            bulletin, "failed", at=now - timedelta(hours=3), reason="audio unavailable"
        ),
        event(bulletin, "preempted", at=now - timedelta(hours=4), reason="emergency"),
    )
    row = _row(bulletin, c)
    assert (row.failed, row.preempted, row.finished) == (2, 1, 0)
    assert (row.last_failure, row.last_failure_reason) == ("failed", "power off")
    hamlet = AreaCoverage.objects.get(bulletin=bulletin, area=tree.hamlet_a2)
    assert (hamlet.finished, hamlet.failed, hamlet.clusters_heard) == (0, 2, 0)


def test_items_of_no_bulletin_or_an_unknown_one_are_ignored_but_stored(tree, people):
    bulletin = publish(people, tree.commune_a)
    c = cluster(tree.hamlet_a1)
    outcome = store(
        c,
        event(None, item="nhac-hieu"),
        event(None, item="bul:x:prog:1"),
        event(999_999),
        event(bulletin),
    )
    assert outcome.events_new == 4
    assert ClusterCoverage.objects.count() == 1
    assert _row(bulletin, c).finished == 1


def test_absorbing_stored_events_again_changes_nothing(tree, people):
    bulletin = publish(people, tree.commune_a)
    c = cluster(tree.hamlet_a1)
    store(c, event(bulletin), event(bulletin, "failed", reason="missed"))
    again = coverage.absorb(list(PlayEvent.objects.filter(cluster=c)))
    assert (again.events, again.repeated) == (0, 2)
    assert (_row(bulletin, c).finished, _row(bulletin, c).failed) == (1, 1)


def test_rebuild_gives_the_same_tables_as_the_incremental_path(tree, people):
    one = publish(people, tree.commune_a)
    two = publish(people, tree.province, title="Phòng chống bão")
    a, b = cluster(tree.hamlet_a1), cluster(tree.hamlet_b1)
    now = timezone.now()
    store(a, event(one, at=now - timedelta(hours=3)), event(two, at=now))
    store(
        b,
        event(two, "failed", reason="missed"),
        event(two, at=now - timedelta(hours=1)),
    )
    store(a, event(one, at=now - timedelta(hours=1)))

    def snapshot():
        cols = (
            "bulletin_id",
            "cluster_id",
            "finished",
            "failed",
            "first_heard_at",
            "last_heard_at",
            "last_failure_reason",
        )
        areas = (
            "bulletin_id",
            "area_id",
            "finished",
            "failed",
            "clusters_heard",
            "first_heard_at",
            "last_heard_at",
        )
        return (
            sorted(ClusterCoverage.objects.values_list(*cols)),
            sorted(AreaCoverage.objects.values_list(*areas)),
        )

    before = snapshot()
    assert coverage.rebuild() == 5
    assert snapshot() == before
    assert coverage.rebuild([two.pk]) == 3
    assert snapshot() == before
    call_command("coverage_rebuild", bulletin=[one.pk], stdout=io.StringIO())
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="coverage.rebuild").exists()


def test_a_late_proof_of_play_drops_the_snapshots_of_its_closed_month(tree, people):
    this_month = periods.month_start(periods.today())
    last_month = periods.add_months(this_month, -1)
    published = timezone.make_aware(
        datetime.datetime.combine(last_month + timedelta(days=3), datetime.time(9))
    )
    bulletin = publish(people, tree.commune_a, published_at=published)
    for area in (tree.province, tree.commune_a, tree.commune_b):
        Snapshot.objects.create(
            indicator="essential_disseminated",
            area=area,
            area_path=area.path,
            month=last_month,
            numerator=0,
            denominator=1,
        )
    c = cluster(tree.hamlet_a1)
    store(c, event(bulletin, "failed", reason="power off"))
    assert Snapshot.objects.count() == 3, "a failure changes no indicator"
    store(c, event(bulletin))
    assert set(Snapshot.objects.values_list("area_id", flat=True)) == {
        tree.commune_b.pk
    }
