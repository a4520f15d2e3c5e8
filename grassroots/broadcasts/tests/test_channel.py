"""Bulletin channel events on "loudspeakers" become programmes, and leave again."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from grassroots.broadcasts import actions
from grassroots.broadcasts.models import ProgrammeItem, ProgrammeSchedule
from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.models import InboxItem
from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Schedule
from grassroots.loudspeakers.tests.factories import make_cluster

pytestmark = pytest.mark.django_db
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def people(tree):
    return make_people(tree)


def test_the_next_slot_is_the_next_configured_time_five_minutes_away(settings):
    settings.GRASSROOTS_BROADCAST_SLOTS = (datetime.time(17, 30), datetime.time(6))
    at = datetime.datetime(2025, 7, 1, 5, 56, tzinfo=VN)
    assert actions.next_slot(at) == datetime.datetime(2025, 7, 1, 17, 30, tzinfo=VN)
    at = datetime.datetime(2025, 7, 1, 18, 0, tzinfo=VN)
    assert actions.next_slot(at) == datetime.datetime(2025, 7, 2, 6, 0, tzinfo=VN)
    assert actions.slot_times() == [datetime.time(6), datetime.time(17, 30)]


def test_a_published_priority_bulletin_is_queued_in_each_commune_and_sent(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    a1, b1 = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_b1)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_published(
            people.province_editor,
            people.province_approver,
            tree.province,
            level="priority",
            title="Lịch cắt điện",
        )
    items = ProgrammeItem.objects.filter(bulletin=bulletin)
    assert {i.area for i in items} >= {tree.commune_a, tree.commune_b}
    schedule = ProgrammeSchedule.objects.get(item__area=tree.commune_a)
    assert schedule.priority == "priority"
    slot = actions.next_slot()
    assert (schedule.starts_on, schedule.at) == (slot.date(), slot.time())
    for cluster in (a1, b1):
        [entry] = (
            Schedule.objects.filter(cluster=cluster).latest("version").document["items"]
        )
        assert playables.bulletin_of(entry["id"]) == bulletin.pk
        assert entry["priority"] == "priority"
    # Withdrawn: off the air everywhere, at once.
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.withdraw(people.province_approver, bulletin, reason="Nhầm lịch")
    assert not ProgrammeItem.objects.filter(bulletin=bulletin, is_active=True).exists()
    for cluster in (a1, b1):
        assert Schedule.objects.filter(cluster=cluster).latest("version").items == 0


def test_a_normal_bulletin_from_above_waits_for_the_commune_to_adopt_it(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    a1 = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_published(
            people.province_editor,
            people.province_approver,
            tree.province,
            targets=[tree.hamlet_a1, tree.hamlet_b1],
        )
    assert not ProgrammeItem.objects.exists()
    inbox = InboxItem.objects.get(bulletin=bulletin, commune=tree.commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.decide(people.approver_a, inbox, "adopt")
    item = ProgrammeItem.objects.get(bulletin=bulletin)
    assert item.area == tree.commune_a and item.essential
    schedule = item.schedules.get()
    assert list(schedule.target_areas.all()) == [tree.hamlet_a1]
    assert Schedule.objects.filter(cluster=a1).latest("version").items == 1


def test_a_communes_own_normal_bulletin_is_queued_when_published(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    assert ProgrammeItem.objects.get(bulletin=bulletin).area == tree.commune_a


def test_emergency_bulletins_are_left_to_the_emergencies_app(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_published(
            people.province_editor,
            people.province_approver,
            tree.province,
            level="emergency",
        )
    assert not ProgrammeItem.objects.exists()


def test_an_updated_bulletin_is_read_again(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    item = ProgrammeItem.objects.get(bulletin=bulletin)
    first_audio = item.audio_id
    bulletin.title = "Thông báo đã sửa"
    bulletin.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.refresh_bulletin(bulletin)
    item.refresh_from_db()
    assert item.title == "Thông báo đã sửa" and item.audio_id != first_audio
    assert timezone.now()
