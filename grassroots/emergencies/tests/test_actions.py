"""Start, update, cancel: scope, audit, second factor, and the lists devices receive."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts.models import AuditEntry
from grassroots.boards.models import Takeover
from grassroots.emergencies import actions
from grassroots.emergencies.models import Emergency, State, TopicRevision
from grassroots.loudspeakers import actions as loudspeakers
from grassroots.loudspeakers import signing
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user
from grassroots_agent import protocol
from grassroots_agent.signing import Keyring, Refused

from .conftest import emergency_lists

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _start(actor, bulletin, areas, capture, **kwargs):
    with capture(execute=True):
        return actions.start(actor, bulletin, areas=areas, **kwargs)


def test_start_publishes_the_area_list_at_once_retained_and_audited(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    emergency = _start(
        operator_a,
        flood,
        [tree.hamlet_a1],
        django_capture_on_commit_callbacks,
        repeat=4,
    )
    assert emergency.state == State.ACTIVE and emergency.rev == 1
    assert emergency.area == tree.hamlet_a1
    messages = [m for m in outbox.messages if m.topic.endswith("/emergency")]
    assert len(messages) == 1, "one publish for the whole hamlet, not per device"
    message = messages[0]
    assert message.retain and message.qos == 1
    assert message.topic.endswith(f"/area/{tree.hamlet_a1.url_path}/emergency")
    document = message.json()
    protocol.validate("emergency", document)
    [item] = document["active"]
    assert item["id"] == f"bul:{flood.pk}:emg:{emergency.pk}" == emergency.item_id
    assert item["priority"] == "emergency" and item["repeat"] == 4 and item["rev"] == 1
    assert item["audio"]["sha256"] == emergency.audio.mp3_sha256
    assert item["audio"]["url"].startswith("http")
    assert item["audio"]["duration_s"] > 0
    entry = AuditEntry.objects.filter(action="emergency.start").get()
    assert entry.actor == operator_a and entry.area_path == tree.hamlet_a1.path
    assert entry.data["areas"] == [tree.hamlet_a1.path]
    emergency.refresh_from_db()
    assert emergency.delivered


def test_an_operator_broadcasts_only_in_their_area(
    tree, flood, operator_a, people, outbox
):
    with pytest.raises(PermissionDenied):
        actions.start(operator_a, flood, areas=[tree.commune_b])
    with pytest.raises(PermissionDenied):
        actions.start(operator_a, flood, areas=[tree.hamlet_a1, tree.hamlet_b1])
    with pytest.raises(PermissionDenied):
        actions.start(people.editor_a, flood, areas=[tree.hamlet_a1])
    other = make_cluster(tree.hamlet_b1)
    with pytest.raises(PermissionDenied):
        actions.start(operator_a, flood, clusters=[other])
    assert not Emergency.objects.exists()
    assert not outbox.messages


def test_bad_requests_are_refused_with_a_reason(
    tree, flood, operator_a, people, outbox
):
    with pytest.raises(ValidationError) as no_target:
        actions.start(operator_a, flood)
    assert "areas" in no_target.value.message_dict
    with pytest.raises(ValidationError) as repeat:
        actions.start(operator_a, flood, areas=[tree.hamlet_a1], repeat=0)
    assert "repeat" in repeat.value.message_dict
    from grassroots.bulletins.tests.builders import make_published

    normal = make_published(people.editor_a, people.approver_a, tree.commune_a)
    with pytest.raises(ValidationError) as level:
        actions.start(operator_a, normal, areas=[tree.hamlet_a1])
    assert "bulletin" in level.value.message_dict
    assert not outbox.messages


def test_every_topic_carries_the_whole_active_list_and_cancel_removes_one(
    tree, flood, fire, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = _start(operator_a, flood, [tree.commune_a], capture)
    second = _start(operator_a, fire, [tree.commune_a, tree.hamlet_a1], capture)
    # The hamlet is inside the commune: one topic is enough.
    assert list(second.target_areas.all()) == [tree.commune_a]
    lists = emergency_lists(outbox, f"/area/{tree.commune_a.url_path}/emergency")
    assert [len(d["active"]) for d in lists] == [1, 2]
    assert lists[1]["rev"] > lists[0]["rev"]
    assert {i["id"] for i in lists[1]["active"]} == {first.item_id, second.item_id}

    with capture(execute=True):
        actions.cancel(operator_a, first)
    lists = emergency_lists(outbox, f"/area/{tree.commune_a.url_path}/emergency")
    assert lists[-1]["rev"] > lists[1]["rev"]
    assert [i["id"] for i in lists[-1]["active"]] == [second.item_id]
    first.refresh_from_db()
    assert first.state == State.CANCELLED and first.cancelled_by == operator_a
    assert AuditEntry.objects.filter(action="emergency.cancel").count() == 1
    with pytest.raises(ValidationError):
        actions.cancel(operator_a, first)

    with capture(execute=True):
        actions.cancel(operator_a, second)
    assert (
        emergency_lists(outbox, f"/area/{tree.commune_a.url_path}/emergency")[-1][
            "active"
        ]
        == []
    )


def test_update_grows_the_rev_and_replaces_the_words(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
    old_audio = emergency.audio_id
    with capture(execute=True):
        emergency = actions.update(
            operator_a, emergency, text="Nước đã lên 2 mét, di dời ngay.", repeat=6
        )
    assert emergency.rev == 2 and emergency.repeat == 6
    assert emergency.audio_id != old_audio
    [first, second] = emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")
    assert second["rev"] > first["rev"]
    assert second["active"][0]["rev"] == 2
    assert (
        second["active"][0]["audio"]["sha256"] != first["active"][0]["audio"]["sha256"]
    )
    entry = AuditEntry.objects.filter(action="emergency.update").get()
    assert entry.data["rev"] == 2 and "text" in entry.data["changes"]
    # Nothing changed: no new rev, nothing sent.
    before = len(outbox.messages)
    with capture(execute=True):
        same = actions.update(operator_a, emergency, repeat=6)
    assert same.rev == 2 and len(outbox.messages) == before


def test_moving_an_emergency_clears_the_area_it_left(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
    with capture(execute=True):
        actions.update(operator_a, emergency, areas=[tree.hamlet_a2])
    assert (
        emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")[-1]["active"]
        == []
    )
    assert (
        len(
            emergency_lists(outbox, f"/{tree.hamlet_a2.url_path}/emergency")[-1][
                "active"
            ]
        )
        == 1
    )


def test_a_cluster_target_uses_the_cluster_topic(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        emergency = actions.start(operator_a, flood, clusters=[cluster])
    [document] = emergency_lists(outbox, f"/dev/{cluster.code}/emergency")
    assert document["active"][0]["id"] == emergency.item_id


def test_the_topic_rev_never_goes_back(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    """A database restored from a backup must not send a rev devices ignore."""
    capture = django_capture_on_commit_callbacks
    emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
    TopicRevision.objects.update(rev=5)
    with capture(execute=True):
        actions.cancel(operator_a, emergency)
    last = emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")[-1]
    assert last["rev"] > 1_600_000_000_000


class TestSecondFactor:
    def test_a_user_with_a_device_confirms_with_a_fresh_code(
        self, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
    ):
        device = TOTPDevice.objects.create(
            user=operator_a, name="phone", confirmed=True
        )
        with pytest.raises(ValidationError) as missing:
            actions.start(operator_a, flood, areas=[tree.hamlet_a1])
        assert "otp" in missing.value.message_dict
        with pytest.raises(ValidationError):
            actions.start(operator_a, flood, areas=[tree.hamlet_a1], otp="000000x")
        with django_capture_on_commit_callbacks(execute=True):
            emergency = actions.start(
                operator_a, flood, areas=[tree.hamlet_a1], otp=code_for(device)
            )
        with pytest.raises(ValidationError):
            actions.cancel(operator_a, emergency)
        assert Emergency.objects.get().state == State.ACTIVE

    def test_required_for_everyone_when_the_province_says_so(
        self, tree, flood, operator_a, settings, outbox
    ):
        settings.GRASSROOTS_REQUIRE_2FA = True
        with pytest.raises(PermissionDenied):
            actions.start(operator_a, flood, areas=[tree.hamlet_a1])
        assert not outbox.messages


class TestBoards:
    def test_a_console_emergency_takes_over_the_boards_and_cancel_releases(
        self, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
    ):
        capture = django_capture_on_commit_callbacks
        emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
        takeover = Takeover.objects.get(emergency_id=emergency.takeover_id)
        assert takeover.area_paths == [tree.hamlet_a1.path]
        assert takeover.released_at is None
        with capture(execute=True):
            actions.cancel(operator_a, emergency)
        takeover.refresh_from_db()
        assert takeover.released_at is not None

    def test_a_bulletin_already_on_the_boards_is_not_taken_over_twice(
        self, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
    ):
        from grassroots.boards import actions as boards
        from grassroots.boards.channel import emergency_id_of

        boards.take_over(
            emergency_id=emergency_id_of(flood.pk),
            area_paths=[tree.commune_a.path],
            title=flood.title,
            text="",
            level="emergency",
            actor=None,
        )
        emergency = _start(
            operator_a, flood, [tree.hamlet_a1], django_capture_on_commit_callbacks
        )
        assert emergency.takeover_id == emergency_id_of(flood.pk)
        assert Takeover.objects.count() == 1


def test_due_emergencies_expire_and_leave_the_lists(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    emergency = _start(
        operator_a,
        flood,
        [tree.hamlet_a1],
        capture,
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    assert actions.expire_due() == 0
    with capture(execute=True):
        assert actions.expire_due(timezone.now() + timedelta(hours=1)) == 1
    emergency.refresh_from_db()
    assert emergency.state == State.EXPIRED
    assert (
        emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")[-1]["active"]
        == []
    )
    assert AuditEntry.objects.filter(action="emergency.expire").exists()


def test_no_audio_no_broadcast_and_the_reason_is_given(
    tree, flood, operator_a, outbox, fake_speech
):
    fake_speech.fail_with = "engine broken"
    with pytest.raises(ValidationError) as refused:
        actions.start(operator_a, flood, areas=[tree.hamlet_a1])
    assert "engine broken" in refused.value.message_dict["text"][0]
    assert not outbox.messages
    assert not Emergency.objects.exists()


def test_a_user_in_another_province_sees_nothing_to_cancel(tree, flood, outbox):
    stranger = make_user("operator", tree.other_province)
    emergency = actions.start(None, flood, areas=[tree.hamlet_a1])
    with pytest.raises(PermissionDenied):
        actions.cancel(stranger, emergency)


def test_a_list_the_broker_did_not_confirm_is_sent_again(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
    Emergency.objects.filter(pk=emergency.pk).update(delivered=False)
    with capture(execute=True):
        assert actions.republish_undelivered() == 1
    lists = emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")
    assert len(lists) == 2 and lists[1]["rev"] > lists[0]["rev"]
    assert [i["id"] for i in lists[1]["active"]] == [emergency.item_id]
    emergency.refresh_from_db()
    assert emergency.delivered
    with capture(execute=True):
        assert actions.republish_undelivered() == 0


def test_a_cancellation_committed_but_never_published_is_sent_again(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    """The web process killed between the commit and the publish (runtime/test_faults.py)."""
    capture = django_capture_on_commit_callbacks
    emergency = _start(operator_a, flood, [tree.hamlet_a1], capture)
    assert Emergency.objects.get(pk=emergency.pk).delivered
    with capture(execute=False):  # committed; the process died before sending
        actions.cancel(operator_a, emergency)
    emergency.refresh_from_db()
    assert emergency.state == State.CANCELLED and not emergency.delivered
    # A change younger than the gateway's grace is left to its own process.
    with capture(execute=True):
        assert actions.republish_undelivered(older_than_s=60) == 0
    with capture(execute=True):
        assert actions.republish_undelivered(older_than_s=0.0) == 1
    lists = emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")
    assert lists[-1]["active"] == [] and lists[-1]["rev"] > lists[0]["rev"]
    emergency.refresh_from_db()
    assert emergency.delivered
    with capture(execute=True):
        assert actions.republish_undelivered() == 0


def test_the_clusters_an_emergency_went_to_count_as_sent_in_the_report(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    from grassroots.dissemination.report import sent_cluster_ids

    inside = make_cluster(tree.hamlet_a1)
    outside = make_cluster(tree.hamlet_b1)
    assert inside.pk not in sent_cluster_ids(flood)
    _start(operator_a, flood, [tree.hamlet_a1], django_capture_on_commit_callbacks)
    sent = sent_cluster_ids(flood)
    assert inside.pk in sent and outside.pk not in sent


def test_lists_name_their_target_and_are_sealed_again_after_a_key_rotation(
    tree,
    flood,
    fire,
    operator_a,
    outbox,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.GRASSROOTS_SIGNING_KEYS_DIR = tmp_path / "signing"
    capture = django_capture_on_commit_callbacks
    on_air = _start(operator_a, flood, [tree.commune_a], capture)
    ended = _start(operator_a, fire, [tree.hamlet_a2], capture)
    with capture(execute=True):
        actions.cancel(operator_a, ended)
    area_list = emergency_lists(outbox, f"/area/{tree.commune_a.url_path}/emergency")
    assert area_list[-1]["area"] == tree.commune_a.url_path
    old = signing.keys().current
    with capture(execute=True):
        loudspeakers.rotate_signing_key(None)
        loudspeakers.finish_key_rotation(None, force=True)
    new = signing.keys().current
    resealed = {
        m.topic: m
        for m in outbox.messages
        if m.topic.endswith("/emergency") and signing_kids(m.payload) == [new.kid]
    }
    # Every topic that ever had a list, with what is on the air there now.
    assert {t.split("/area/")[1] for t in resealed} == {
        f"{tree.commune_a.url_path}/emergency",
        f"{tree.hamlet_a2.url_path}/emergency",
    }
    for topic, message in resealed.items():
        Keyring([new.public]).open(topic, message.payload)
        with pytest.raises(Refused):
            Keyring([old.public]).open(topic, message.payload)
        active = [i["id"] for i in message.json()["active"]]
        commune = topic.endswith(f"/area/{tree.commune_a.url_path}/emergency")
        assert active == ([on_air.item_id] if commune else [])


def signing_kids(payload: bytes) -> list[str]:
    return [s["kid"] for s in json.loads(payload.split(b"\n", 1)[0])["sigs"]]
