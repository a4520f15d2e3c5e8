"""Actions: scope, clashes, pause, groups, play now, audit and recompiling."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import AuditEntry
from grassroots.broadcasts import actions
from grassroots.broadcasts.models import ProgrammeSchedule
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Cluster, Command, Schedule
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user
from grassroots_agent import protocol

from .builders import make_item

pytestmark = pytest.mark.django_db


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def new_schedule(item, area=None, **fields) -> ProgrammeSchedule:
    base = {
        "rule": "once",
        "starts_on": tomorrow(),
        "at": datetime.time(6, 0),
    }
    base.update(fields)
    return ProgrammeSchedule(item=item, area=area or item.area, **base)


@pytest.fixture
def operator_a(tree):
    return make_user("operator", tree.commune_a, username="phatthanh_a")


def test_an_operator_schedules_in_hamlets_and_those_clusters_get_it(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    a1, a2, b1 = (
        make_cluster(tree.hamlet_a1),
        make_cluster(tree.hamlet_a2),
        make_cluster(tree.hamlet_b1),
    )
    item = make_item(tree.commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        schedule = actions.save_schedule(
            operator_a, new_schedule(item), target_areas=[tree.hamlet_a1]
        )
    assert Cluster.objects.get(pk=a1.pk).schedule_version == 1
    assert not Cluster.objects.get(pk=a2.pk).schedule_version
    assert not Cluster.objects.get(pk=b1.pk).schedule_version
    document = Schedule.objects.get(cluster=a1).document
    protocol.validate("schedule", document)
    assert [i["start"][:16] for i in document["items"]] == [
        f"{tomorrow():%Y-%m-%d}T06:00"
    ]
    assert outbox.messages[-1].topic.endswith(f"/dev/{a1.code}/schedule")
    entry = AuditEntry.objects.get(action="broadcasts.schedule_create")
    assert entry.object_id == str(schedule.pk) and entry.actor == operator_a
    # Moving it to the other hamlet: both clusters hear of it.
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_schedule(
            operator_a, schedule, target_areas=[tree.hamlet_a2], confirm_clashes=True
        )
    assert Schedule.objects.filter(cluster=a1).latest("version").items == 0
    assert Schedule.objects.filter(cluster=a2).latest("version").items == 1


@pytest.mark.parametrize("target", ["commune_b", "province", "other_commune"])
def test_an_operator_cannot_target_outside_their_area(tree, operator_a, target):
    item = make_item(tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.save_schedule(
            operator_a, new_schedule(item), target_areas=[getattr(tree, target)]
        )
    assert not ProgrammeSchedule.objects.exists()


def test_an_operator_cannot_own_a_schedule_elsewhere(tree, operator_a):
    item = make_item(tree.commune_b)
    with pytest.raises(PermissionDenied):
        actions.save_schedule(
            operator_a,
            new_schedule(item, area=tree.commune_b),
            target_areas=[tree.hamlet_b1],
        )


def test_a_viewer_cannot_schedule(tree):
    viewer = make_user("viewer", tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.save_schedule(
            viewer,
            new_schedule(make_item(tree.commune_a)),
            target_areas=[tree.hamlet_a1],
        )


def test_a_province_item_may_be_scheduled_by_a_commune(tree, operator_a):
    item = make_item(tree.province, title="Tiếp sóng VOV1")
    schedule = actions.save_schedule(
        operator_a,
        new_schedule(item, area=tree.commune_a),
        target_areas=[tree.commune_a],
    )
    assert schedule.pk


def test_targets_must_lie_within_the_schedules_area(tree):
    admin = make_user("administrator", tree.province)
    item = make_item(tree.commune_a)
    with pytest.raises(ValidationError) as caught:
        actions.save_schedule(admin, new_schedule(item), target_areas=[tree.hamlet_b1])
    assert "target_areas" in caught.value.message_dict


def test_no_target_and_a_bad_rule_are_refused_in_words(tree, operator_a):
    item = make_item(tree.commune_a)
    with pytest.raises(ValidationError) as caught:
        actions.save_schedule(
            operator_a,
            new_schedule(item, rule="rrule", rrule="FREQ=NEVER"),
            target_areas=[],
        )
    assert set(caught.value.message_dict) == {"target_areas", "rrule"}
    with pytest.raises(ValidationError) as caught:
        actions.save_schedule(
            operator_a,
            new_schedule(item, rule="weekly", weekdays=""),
            target_areas=[tree.commune_a],
        )
    assert "weekdays" in caught.value.message_dict


def test_clashes_on_shared_clusters_are_shown_and_need_confirming(tree, operator_a):
    make_cluster(tree.hamlet_a1)
    make_cluster(tree.hamlet_b1)
    morning = make_item(tree.commune_a, title="Bản tin sáng", duration_s=900)
    first = actions.save_schedule(
        operator_a,
        new_schedule(morning, rule="daily"),
        target_areas=[tree.commune_a],
    )
    other = make_item(tree.commune_a, title="Thông báo ấp Một", duration_s=120)
    candidate = new_schedule(other, at=datetime.time(6, 10))
    with pytest.raises(actions.ClashError) as caught:
        actions.save_schedule(operator_a, candidate, target_areas=[tree.hamlet_a1])
    [clash] = caught.value.clashes
    assert clash.schedule == first and clash.clusters == 1
    assert "Bản tin sáng" in clash.description and "06:00" in clash.description
    # The operator decides the order and confirms.
    candidate.order = -1
    saved = actions.save_schedule(
        operator_a, candidate, target_areas=[tree.hamlet_a1], confirm_clashes=True
    )
    assert saved.pk
    # No clash at another time, or on other clusters.
    admin = make_user("administrator", tree.province)
    assert not actions.find_clashes(
        new_schedule(other, at=datetime.time(9, 0)), [tree.commune_a], []
    )
    assert not actions.find_clashes(
        new_schedule(make_item(tree.commune_b), area=tree.commune_b),
        [tree.hamlet_b1],
        [],
    )
    assert admin


def test_pausing_takes_it_off_the_devices(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        schedule = actions.save_schedule(
            operator_a,
            new_schedule(make_item(tree.commune_a)),
            target_areas=[tree.commune_a],
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_schedule_active(operator_a, schedule, False)
    assert Schedule.objects.filter(cluster=cluster).latest("version").items == 0
    assert AuditEntry.objects.filter(action="broadcasts.schedule_pause").exists()


def test_a_group_holds_only_clusters_of_its_area(tree, operator_a):
    inside, outside = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_b1)
    with pytest.raises(ValidationError):
        actions.save_group(
            operator_a, area=tree.commune_a, name="Chợ", clusters=[inside, outside]
        )
    group = actions.save_group(
        operator_a, area=tree.commune_a, name="Chợ", clusters=[inside]
    )
    with pytest.raises(ValidationError):
        actions.save_group(operator_a, area=tree.commune_a, name="chợ", clusters=[])
    with pytest.raises(PermissionDenied):
        actions.save_group(operator_a, area=tree.commune_b, name="Khác", clusters=[])
    assert list(group.clusters.all()) == [inside]


def test_play_now_sends_one_command_per_area_and_audits(
    tree, operator_a, outbox, django_capture_on_commit_callbacks, bulletin_factory
):
    make_cluster(tree.hamlet_a1)
    make_cluster(tree.hamlet_a2)
    bulletin = bulletin_factory(tree.commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.save_item(
            operator_a,
            actions.ProgrammeItem(
                area=tree.commune_a, title=bulletin.title, bulletin=bulletin
            ),
        )
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [command] = actions.play_now(operator_a, item, areas=[tree.commune_a])
    [sent] = outbox.messages
    topic, message = sent.topic, sent.json()
    assert topic.endswith(f"/area/{tree.commune_a.url_path}/cmd")
    protocol.validate("command", message)
    assert message["action"] == "play_now"
    played = message["args"]["item"]
    assert playables.bulletin_of(played["id"]) == bulletin.pk
    assert playables.origin_of(played["id"]) == "now"
    assert command.targets == 2
    assert AuditEntry.objects.filter(action="broadcasts.play_now").exists()
    with pytest.raises(PermissionDenied):
        actions.play_now(operator_a, item, areas=[tree.commune_b])
    assert Command.objects.count() == 1


def test_play_now_on_a_group_commands_each_cluster(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    a1, _a2 = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    group = actions.save_group(
        operator_a, area=tree.commune_a, name="Chợ", clusters=[a1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.play_now(operator_a, make_item(tree.commune_a), groups=[group])
    assert [m.topic.rsplit("/", 2)[-2] for m in outbox.messages] == [a1.code]


def test_emergency_priority_is_not_for_schedules_or_play_now(tree, operator_a):
    item = make_item(tree.commune_a)
    with pytest.raises(ValidationError):
        actions.play_now(operator_a, item, areas=[tree.commune_a], priority="emergency")
    with pytest.raises(ValidationError):
        actions.save_schedule(
            operator_a,
            new_schedule(item, priority="emergency"),
            target_areas=[tree.commune_a],
        )


def test_a_burst_of_changes_sends_each_cluster_once(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        for hour in (6, 7, 8):
            actions.save_schedule(
                operator_a,
                new_schedule(make_item(tree.commune_a), at=datetime.time(hour)),
                target_areas=[tree.commune_a],
            )
    assert Schedule.objects.filter(cluster=cluster).count() == 1
    assert Schedule.objects.get(cluster=cluster).items == 3
