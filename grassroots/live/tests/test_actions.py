"""The live broadcast's rules: who may speak where, at which level; tokens; ending.

The stream server's answer is the only thing stood in for here (``on_air``
below says which mounts it has); the socket, ffmpeg and Icecast are
exercised for real in test_ingest.py and test_end_to_end.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts.models import AuditEntry
from grassroots.live import actions, icecast
from grassroots.live.models import EndReason, Level, LiveListener, LiveSession, State
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(monkeypatch):
    """The stream server answers (with no mount yet)."""
    monkeypatch.setattr(icecast, "mounts", lambda timeout_s=2.0: set())


@pytest.fixture
def hamlet_cluster(tree):
    return make_cluster(tree.hamlet_a1)


def _on_air(operator, areas, capture, **kwargs) -> LiveSession:
    session = actions.start(operator, areas=areas, **kwargs)
    with capture(execute=True):
        actions.claim_microphone(
            operator, session.pk, actions.open_microphone(operator, session)
        )
        return actions.go_on_air(session)


def test_a_session_goes_on_the_air_with_one_signed_play_now_per_area(
    tree,
    operator_a,
    hamlet_cluster,
    running,
    outbox,
    django_capture_on_commit_callbacks,
):
    session = _on_air(
        operator_a, [tree.hamlet_a1], django_capture_on_commit_callbacks, title="Họp"
    )
    [message] = [m.json() for m in outbox.messages]
    assert message["action"] == "play_now"
    item = message["args"]["item"]
    assert item["id"] == f"live:{session.pk}"
    assert item["priority"] == "normal"
    assert item["live"]["token"] == session.listener_token
    assert item["live"]["url"].endswith(session.mount)
    assert session.clusters_reached == 1
    assert AuditEntry.objects.filter(action="live.start", object_id=str(session.pk))


def test_reading_a_bulletin_counts_as_airing_it(
    tree,
    operator_a,
    hamlet_cluster,
    running,
    outbox,
    django_capture_on_commit_callbacks,
):
    from grassroots.bulletins.tests.builders import make_people, make_published
    from grassroots.loudspeakers import playables

    people = make_people(tree)
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    session = _on_air(
        operator_a,
        [tree.hamlet_a1],
        django_capture_on_commit_callbacks,
        bulletin=bulletin,
    )
    assert playables.bulletin_of(session.item_id) == bulletin.pk
    assert playables.origin_of(session.item_id) == "live"
    assert playables.live_session_of(session.item_id) == session.pk


class TestWhoMaySpeak:
    def test_not_outside_ones_area(self, tree, operator_a, hamlet_cluster, running):
        with pytest.raises(PermissionDenied):
            actions.start(operator_a, areas=[tree.hamlet_b1])

    def test_not_where_no_cluster_would_hear_it(self, tree, operator_a, running):
        with pytest.raises(ValidationError) as refused:
            actions.start(operator_a, areas=[tree.hamlet_a2])
        assert "areas" in refused.value.message_dict

    def test_not_without_the_stream_server(
        self, tree, operator_a, hamlet_cluster, monkeypatch
    ):
        monkeypatch.setattr(icecast, "mounts", lambda timeout_s=2.0: None)
        with pytest.raises(ValidationError):
            actions.start(operator_a, areas=[tree.hamlet_a1])
        assert not LiveSession.objects.exists()

    def test_not_twice_at_once_on_the_same_place(
        self, tree, operator_a, hamlet_cluster, running
    ):
        actions.start(operator_a, areas=[tree.commune_a])
        with pytest.raises(ValidationError):
            actions.start(operator_a, areas=[tree.hamlet_a1])

    def test_an_emergency_needs_a_fresh_code_from_the_second_factor(
        self, tree, operator_a, hamlet_cluster, running
    ):
        device = TOTPDevice.objects.create(
            user=operator_a, name="phone", confirmed=True
        )
        with pytest.raises(ValidationError) as missing:
            actions.start(operator_a, areas=[tree.hamlet_a1], level=Level.EMERGENCY)
        assert "otp" in missing.value.message_dict
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=6)
        session = actions.start(
            operator_a, areas=[tree.hamlet_a1], level=Level.EMERGENCY, otp=f"{code:06d}"
        )
        assert session.level == Level.EMERGENCY

    def test_an_editor_may_not(self, tree, hamlet_cluster, running):
        editor = make_user("editor", tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.start(editor, areas=[tree.hamlet_a1])


class TestMicrophone:
    def test_only_the_operator_gets_a_token_and_it_works_once(
        self, tree, operator_a, hamlet_cluster, running
    ):
        colleague = make_user("operator", tree.commune_a)
        session = actions.start(operator_a, areas=[tree.hamlet_a1])
        with pytest.raises(PermissionDenied):
            actions.open_microphone(colleague, session)
        token = actions.open_microphone(operator_a, session)
        with pytest.raises(PermissionDenied):
            actions.claim_microphone(colleague, session.pk, token)
        actions.claim_microphone(operator_a, session.pk, token)
        with pytest.raises(PermissionDenied):
            actions.claim_microphone(operator_a, session.pk, token)

    def test_an_old_token_is_refused(self, tree, operator_a, hamlet_cluster, running):
        session = actions.start(operator_a, areas=[tree.hamlet_a1])
        token = actions.open_microphone(operator_a, session)
        LiveSession.objects.update(
            source_token_at=timezone.now() - datetime.timedelta(minutes=10)
        )
        with pytest.raises(PermissionDenied):
            actions.claim_microphone(operator_a, session.pk, token)


class TestListeners:
    def test_a_token_opens_only_its_own_session_and_only_on_the_air(
        self,
        tree,
        operator_a,
        operator_b,
        hamlet_cluster,
        running,
        outbox,
        django_capture_on_commit_callbacks,
    ):
        capture = django_capture_on_commit_callbacks
        make_cluster(tree.hamlet_b1)
        first = _on_air(operator_a, [tree.hamlet_a1], capture)
        second = _on_air(operator_b, [tree.hamlet_b1], capture)
        code = hamlet_cluster.code
        assert actions.listener_joined(
            first.mount, first.listener_token, code, "1", None
        )
        assert not actions.listener_joined(
            second.mount, first.listener_token, code, "2", None
        )
        assert actions.listening(first) == 1
        with capture(execute=True):
            actions.end(operator_a, first, EndReason.OPERATOR)
        assert not actions.listener_joined(
            first.mount, first.listener_token, code, "3", None
        )
        assert actions.listening(first) == 0
        assert LiveListener.objects.get(client="1").cluster == hamlet_cluster
        assert LiveSession.objects.get(pk=first.pk).peak_listeners == 1


class TestEnding:
    def test_ending_stops_every_device_once_and_is_audited(
        self,
        tree,
        operator_a,
        hamlet_cluster,
        running,
        outbox,
        django_capture_on_commit_callbacks,
    ):
        capture = django_capture_on_commit_callbacks
        session = _on_air(operator_a, [tree.commune_a], capture)
        with capture(execute=True):
            actions.end(None, session, EndReason.NETWORK)
            actions.end(operator_a, session, EndReason.OPERATOR)
        stops = [m.json() for m in outbox.messages if m.json()["action"] == "stop"]
        assert [s["args"]["item"] for s in stops] == [session.item_id]
        session.refresh_from_db()
        assert (session.state, session.end_reason) == (State.ENDED, EndReason.NETWORK)
        assert AuditEntry.objects.filter(action="live.end").count() == 1

    def test_sessions_nobody_feeds_are_ended_by_the_worker(
        self,
        tree,
        operator_a,
        operator_b,
        hamlet_cluster,
        running,
        outbox,
        django_capture_on_commit_callbacks,
    ):
        capture = django_capture_on_commit_callbacks
        make_cluster(tree.hamlet_b1)
        lost = _on_air(operator_a, [tree.hamlet_a1], capture)
        never = actions.start(operator_b, areas=[tree.hamlet_b1])
        later = timezone.now() + datetime.timedelta(hours=1)
        with capture(execute=True):
            assert actions.end_stale(later) == 2
        reasons = dict(LiveSession.objects.values_list("pk", "end_reason"))
        assert reasons == {lost.pk: EndReason.LOST, never.pk: EndReason.NEVER_STARTED}
        assert [m.json()["action"] for m in outbox.messages][-1] == "stop"
