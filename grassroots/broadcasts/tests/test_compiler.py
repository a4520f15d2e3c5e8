"""The compiler: each cluster's next 48 hours, valid by the device protocol."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from grassroots.broadcasts import actions, compiler
from grassroots.broadcasts.models import ProgrammeSchedule
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Cluster, Schedule
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots_agent import protocol

from .builders import make_item, make_schedule

pytestmark = pytest.mark.django_db
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2025, 7, 1, 5, 0, tzinfo=VN)


def test_each_cluster_gets_only_the_schedules_targeting_it(tree):
    a1, a2, b1 = (
        make_cluster(tree.hamlet_a1),
        make_cluster(tree.hamlet_a2),
        make_cluster(tree.hamlet_b1),
    )
    commune_item = make_item(tree.commune_a, title="Chương trình xã")
    make_schedule(commune_item, [tree.commune_a])
    hamlet_item = make_item(tree.commune_a, title="Chỉ ấp Một")
    make_schedule(hamlet_item, [tree.hamlet_a1], at=datetime.time(7, 0))
    _, result = compiler.compile_for([a1, a2, b1], now=NOW)
    titles = {c.code: [i["title"] for i in items] for c, items in result.items()}
    # Daily at 06:00 over 48 hours from 05:00: two days.
    assert titles[a1.code] == [
        "Chương trình xã",
        "Chỉ ấp Một",
        "Chương trình xã",
        "Chỉ ấp Một",
    ]
    assert titles[a2.code] == ["Chương trình xã", "Chương trình xã"]
    assert titles[b1.code] == []


def test_documents_are_valid_by_the_protocol_schema(tree, outbox):
    cluster = make_cluster(tree.hamlet_a1)
    item = make_item(tree.commune_a)
    make_schedule(item, [tree.province], repeat=3, gap_s=60, window_minutes=30)
    sent = compiler.compile_and_send([cluster.pk], now=timezone.now())
    assert sent == 1
    row = Schedule.objects.get(cluster=cluster)
    protocol.validate("schedule", row.document)
    first = row.document["items"][0]
    assert first["relay_url"] == item.relay_url
    assert first["repeat"] == 3 and first["gap_s"] == 60
    assert first["late_tolerance_s"] == 1800
    assert first["id"] == f"relay:{item.pk}:{ProgrammeSchedule.objects.get().pk}"


def test_priority_goes_first_then_order_when_items_start_together(tree):
    cluster = make_cluster(tree.hamlet_a1)
    normal_first = make_item(tree.commune_a, title="Thường, thứ tự 0")
    normal_second = make_item(tree.commune_a, title="Thường, thứ tự 1")
    urgent = make_item(tree.commune_a, title="Ưu tiên")
    make_schedule(normal_second, [tree.commune_a], order=1, rule="once")
    make_schedule(normal_first, [tree.commune_a], order=0, rule="once")
    make_schedule(urgent, [tree.commune_a], priority="priority", order=5, rule="once")
    _, result = compiler.compile_for([cluster], now=NOW)
    assert [i["title"] for i in result[cluster]] == [
        "Ưu tiên",
        "Thường, thứ tự 0",
        "Thường, thứ tự 1",
    ]
    assert [i["priority"] for i in result[cluster]] == ["priority", "normal", "normal"]


def test_groups_of_clusters_are_targets(tree):
    a1, a2 = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    group = actions.save_group(None, area=tree.commune_a, name="Chợ", clusters=[a2])
    item = make_item(tree.commune_a)
    schedule = make_schedule(item, [])
    schedule.target_groups.set([group])
    _, result = compiler.compile_for([a1, a2], now=NOW)
    assert result[a1] == [] and len(result[a2]) == 2


def test_bulletin_items_carry_the_bulletin_in_their_id_and_wait_for_audio(
    tree, outbox, bulletin_factory, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    bulletin = bulletin_factory(tree.commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.save_item(
            None,
            actions.ProgrammeItem(
                area=tree.commune_a, title=bulletin.title, bulletin=bulletin
            ),
        )
    item.refresh_from_db()
    assert item.audio is not None and item.audio.is_ready
    schedule = make_schedule(item, [tree.hamlet_a1], starts_on=timezone.localdate())
    _, result = compiler.compile_for([cluster])
    ids = {i["id"] for i in result[cluster]}
    assert ids == {playables.bulletin_item_id(bulletin.pk, "prog", schedule.pk)}
    assert playables.bulletin_of(next(iter(ids))) == bulletin.pk
    audio = result[cluster][0]["audio"]
    assert audio["sha256"] == item.audio.mp3_sha256
    assert audio["url"].startswith("http") and audio["url"].endswith(".mp3")
    # Not rendered yet: left out until the audio is ready.
    item.audio.status = "queued"
    item.audio.save()
    compiled, result = compiler.compile_for([cluster])
    assert result[cluster] == [] and compiled.waiting == [schedule.pk]


def test_retired_clusters_get_nothing(tree, outbox):
    make_cluster(tree.hamlet_a1, state="retired")
    make_schedule(make_item(tree.commune_a), [tree.commune_a])
    assert compiler.compile_and_send() == 0


def test_the_rolling_job_sends_clusters_whose_schedule_runs_out(tree, outbox):
    fresh, stale = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    make_schedule(make_item(tree.commune_a), [tree.commune_a])
    compiler.compile_and_send([fresh.pk])
    compiler.compile_and_send(
        [stale.pk], now=timezone.now() - datetime.timedelta(hours=20)
    )
    assert compiler.due_for_refresh() == [stale.pk]
    from grassroots.broadcasts.tasks import roll_window

    roll_window.call_local()
    assert Cluster.objects.get(pk=stale.pk).schedule_version == 2
    assert Cluster.objects.get(pk=fresh.pk).schedule_version == 1


def test_a_compile_job_that_finds_another_running_leaves_its_clusters_quietly(
    tree, outbox, caplog
):
    from grassroots.broadcasts.models import CompileRequest
    from grassroots.broadcasts.tasks import compile_pending
    from grassroots.core import jobs

    cluster = make_cluster(tree.hamlet_a1)
    make_schedule(make_item(tree.commune_a), [tree.commune_a])
    CompileRequest.objects.create(cluster=cluster)
    with caplog.at_level("INFO"), jobs.only_one("broadcasts-compile") as held:
        assert held
        assert compile_pending.call_local() == 0
    assert CompileRequest.objects.filter(cluster=cluster).exists()
    assert Cluster.objects.get(pk=cluster.pk).schedule_version is None
    assert not [r for r in caplog.records if r.levelno >= 20], caplog.text


def test_the_running_compile_job_sends_clusters_that_came_while_it_held_the_lock(
    tree, outbox, monkeypatch
):
    from grassroots.broadcasts.models import CompileRequest
    from grassroots.broadcasts.tasks import compile_pending

    first, late = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    make_schedule(make_item(tree.commune_a), [tree.commune_a])
    CompileRequest.objects.create(cluster=first)
    compile_once, runs = actions.compile_pending, []

    def a_request_arrives_meanwhile() -> int:
        runs.append(compile_once())
        if len(runs) == 1:
            # Its own job ran now and found the lock taken (the test above).
            CompileRequest.objects.create(cluster=late)
        return runs[-1]

    monkeypatch.setattr(actions, "compile_pending", a_request_arrives_meanwhile)
    compile_pending.call_local()
    assert runs == [1, 1] and not CompileRequest.objects.exists()
    assert Cluster.objects.get(pk=first.pk).schedule_version == 1
    assert Cluster.objects.get(pk=late.pk).schedule_version == 1
