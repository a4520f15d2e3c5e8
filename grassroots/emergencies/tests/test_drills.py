"""Drills: marked as a test everywhere, the same checks and cancel path, real ones first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts.models import AuditEntry
from grassroots.boards.models import Takeover
from grassroots.emergencies import actions
from grassroots.emergencies.actions import framing
from grassroots.emergencies.models import Emergency, Source, State
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user
from grassroots_agent import protocol

from .conftest import emergency_lists
from .test_actions import code_for

pytestmark = pytest.mark.django_db

PREAMBLE = "Đây là bản tin thử nghiệm hệ thống cảnh báo."
NOT_REAL = "không phải tình huống khẩn cấp thật"


def _drill(actor, capture, **kwargs):
    with capture(execute=True):
        return actions.start_drill(actor, **kwargs)


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_a_drill_is_marked_as_a_test_on_devices_boards_and_in_the_audit(
    tree, operator_a, outbox, fake_speech, django_capture_on_commit_callbacks
):
    drill = _drill(
        operator_a,
        django_capture_on_commit_callbacks,
        areas=[tree.hamlet_a1],
        title="Diễn tập bão số 3",
        text="Kiểm tra loa ấp 1.",
        repeat=2,
    )
    assert drill.drill and drill.bulletin is None and drill.source == Source.CONSOLE
    assert drill.title == "THỬ NGHIỆM: Diễn tập bão số 3"
    # Spoken as a test: the warnings are in the very text rendered to audio.
    assert drill.text.startswith(PREAMBLE)
    assert drill.text.rstrip(".").endswith(NOT_REAL)
    assert "Kiểm tra loa ấp 1." in drill.text
    assert drill.audio.text == drill.text
    assert fake_speech.calls[-1][0].startswith("Đây là bản tin thử nghiệm")
    # Devices: the item says drill, and names no bulletin.
    [document] = emergency_lists(outbox, f"/area/{tree.hamlet_a1.url_path}/emergency")
    protocol.validate("emergency", document)
    [item] = document["active"]
    assert item["drill"] is True and item["id"] == f"drill:{drill.pk}"
    assert item["title"].startswith("THỬ NGHIỆM")
    # It always ends by itself.
    assert drill.expires_at is not None
    assert (
        timedelta(minutes=14)
        < drill.expires_at - drill.started_at
        <= timedelta(minutes=15)
    )
    assert "expires_at" in item
    # Boards: its own takeover, at the drill level.
    takeover = Takeover.objects.get(emergency_id=drill.takeover_id)
    assert takeover.level == "drill" and takeover.bulletin is None
    assert takeover.title.startswith("THỬ NGHIỆM") and PREAMBLE in takeover.text
    # Audit: a drill, never an emergency.
    [entry] = _audit("drill.start")
    assert entry.actor == operator_a and entry.data["drill"] is True
    assert entry.object_repr.startswith("THỬ NGHIỆM")
    assert not _audit("emergency.start")


def test_a_real_emergency_list_says_nothing_of_drills(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.start(operator_a, flood, areas=[tree.hamlet_a1])
    [document] = emergency_lists(outbox, f"/area/{tree.hamlet_a1.url_path}/emergency")
    assert "drill" not in document["active"][0]


def test_a_drill_on_chosen_clusters_goes_to_their_own_topics(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    first, second = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    make_cluster(tree.hamlet_a1)  # not chosen
    drill = _drill(
        operator_a, django_capture_on_commit_callbacks, clusters=[first, second]
    )
    topics = sorted(m.topic for m in outbox.messages if m.topic.endswith("/emergency"))
    assert [t.split("/")[-2] for t in topics] == sorted([first.code, second.code])
    assert drill.area == tree.commune_a
    assert drill.title == "THỬ NGHIỆM: Diễn tập hệ thống cảnh báo"


def test_a_drill_needs_the_same_role_area_and_second_factor_as_an_emergency(
    tree, people, operator_a, outbox, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        actions.start_drill(operator_a, areas=[tree.commune_b])
    with pytest.raises(PermissionDenied):
        actions.start_drill(people.editor_a, areas=[tree.hamlet_a1])
    device = TOTPDevice.objects.create(user=operator_a, name="phone", confirmed=True)
    with pytest.raises(ValidationError) as missing:
        actions.start_drill(operator_a, areas=[tree.hamlet_a1])
    assert "otp" in missing.value.message_dict
    assert not Emergency.objects.exists()
    drill = _drill(
        operator_a,
        django_capture_on_commit_callbacks,
        areas=[tree.hamlet_a1],
        otp=code_for(device),
    )
    assert drill.is_active


def test_a_drill_that_cannot_air_as_often_as_asked_in_its_time_is_refused(
    tree, operator_a, outbox
):
    with pytest.raises(ValidationError) as error:
        actions.start_drill(
            operator_a, areas=[tree.hamlet_a1], repeat=20, duration_min=1
        )
    assert "duration_min" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.start_drill(operator_a, areas=[tree.hamlet_a1], duration_min=0)
    assert not Emergency.objects.exists()


def test_cancelling_a_drill_takes_the_same_path_as_an_emergency(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    drill = _drill(operator_a, capture, areas=[tree.hamlet_a1])
    outbox.messages.clear()
    with capture(execute=True):
        actions.cancel(operator_a, drill)
    drill.refresh_from_db()
    assert drill.state == State.CANCELLED and drill.cancelled_by == operator_a
    [document] = emergency_lists(outbox, f"/area/{tree.hamlet_a1.url_path}/emergency")
    assert document["active"] == []
    assert Takeover.objects.get(emergency_id=drill.takeover_id).released_at
    assert _audit("drill.cancel") and not _audit("emergency.cancel")


def test_an_update_keeps_the_spoken_warnings_and_the_mark(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    drill = _drill(operator_a, capture, areas=[tree.hamlet_a1], text="Lần một.")
    with capture(execute=True):
        actions.update(operator_a, drill, text="Lần hai.", title="Bão")
    drill.refresh_from_db()
    assert drill.text.startswith(PREAMBLE) and "Lần hai." in drill.text
    assert drill.text.count(PREAMBLE) == 1 and drill.title == "THỬ NGHIỆM: Bão"
    assert _audit("drill.update")
    # Sending back the whole text read (as the update page does) changes nothing.
    with capture(execute=True):
        same = actions.update(operator_a, drill, text=drill.text)
    assert same.rev == drill.rev


def test_a_drill_that_ends_by_itself_is_audited_as_a_drill(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    drill = _drill(
        operator_a, django_capture_on_commit_callbacks, areas=[tree.hamlet_a1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.expire_due(drill.expires_at + timedelta(seconds=1)) == 1
    drill.refresh_from_db()
    assert drill.state == State.EXPIRED
    assert _audit("drill.expire") and not _audit("emergency.expire")
    assert Takeover.objects.get(emergency_id=drill.takeover_id).released_at


def test_a_real_emergency_stops_the_drills_on_its_areas_and_only_those(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    operator_b = make_user("operator", tree.commune_b)
    here = _drill(operator_a, capture, areas=[tree.hamlet_a1])
    elsewhere = _drill(operator_b, capture, areas=[tree.hamlet_b1])
    outbox.messages.clear()
    with capture(execute=True):
        real = actions.start(operator_a, flood, areas=[tree.hamlet_a1])
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    assert here.state == State.PREEMPTED and here.cancelled_by is None
    assert elsewhere.state == State.ACTIVE
    [entry] = _audit("drill.preempt")
    assert entry.data["emergency"] == real.pk and entry.object_id == str(here.pk)
    # The hamlet's list now holds the real emergency alone; the boards drop the test.
    lists = emergency_lists(outbox, f"/area/{tree.hamlet_a1.url_path}/emergency")
    assert [i["id"] for i in lists[-1]["active"]] == [real.item_id]
    assert Takeover.objects.get(emergency_id=here.takeover_id).released_at
    assert Takeover.objects.get(emergency_id=elsewhere.takeover_id).released_at is None


def test_no_drill_starts_where_a_real_emergency_is_on_the_air(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        actions.start(operator_a, flood, areas=[tree.commune_a])
    with pytest.raises(ValidationError) as error:
        actions.start_drill(operator_a, areas=[tree.hamlet_a1])
    assert flood.title in str(error.value)
    assert not Emergency.objects.filter(drill=True).exists()


def test_framing_is_idempotent_and_keeps_the_warnings_when_cutting():
    framed = framing.spoken("Nội dung.", 5000)
    assert framing.spoken(framed, 5000) == framed
    assert framing.body_of(framed) == "Nội dung."
    short = framing.spoken("x" * 10_000, 400)
    assert len(short) <= 400
    assert short.startswith(framing.preamble()) and short.endswith(framing.closing())
    assert framing.marked(framing.marked("Bão")) == "THỬ NGHIỆM: Bão"
    # An empty text still says something, framed.
    assert framing.body_of(framing.spoken("", 5000)) == framing.default_body()


def test_the_drill_words_are_vietnamese_whatever_the_console_language(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("en"):
        drill = _drill(
            operator_a, django_capture_on_commit_callbacks, areas=[tree.hamlet_a1]
        )
    assert drill.text.startswith(PREAMBLE) and drill.title.startswith("THỬ NGHIỆM")
    assert timezone.is_aware(drill.started_at)
