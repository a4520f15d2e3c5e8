"""Console pages of live broadcasts, and Icecast's listener check over HTTP."""

from __future__ import annotations

import base64

import pytest
from django.core.files.base import ContentFile

from grassroots.live import actions, icecast
from grassroots.live.models import LiveSession, State
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(monkeypatch, settings, tmp_path):
    settings.GRASSROOTS_STREAM_DIR = tmp_path / "icecast"
    monkeypatch.setattr(icecast, "mounts", lambda timeout_s=2.0: set())


def _on_air(operator, area, capture) -> LiveSession:
    session = actions.start(operator, areas=[area])
    with capture(execute=True):
        actions.claim_microphone(
            operator, session.pk, actions.open_microphone(operator, session)
        )
        return actions.go_on_air(session)


def test_the_start_page_offers_the_speakers_own_area_ticked(
    client, tree, operator_a, running
):
    client.force_login(operator_a)
    page = client.get("/console/live/new/")
    assert page.status_code == 200
    assert page.context["form"]["areas"].initial == [tree.commune_a.pk]
    html = page.content.decode()
    assert "Phát trực tiếp" in html


def test_an_editor_cannot_open_the_start_page(client, tree, running):
    client.force_login(make_user("editor", tree.commune_a))
    # Wagtail turns the refusal into a redirect with a message.
    assert client.get("/console/live/new/").status_code in (302, 403)


def test_refusals_come_back_as_form_errors_in_vietnamese(
    client, tree, operator_a, running
):
    client.force_login(operator_a)
    page = client.post(
        "/console/live/new/", {"areas": [tree.hamlet_a2.pk], "level": "normal"}
    )
    assert page.status_code == 200
    assert "chưa có cụm loa" in page.content.decode()
    assert not LiveSession.objects.exists()


def test_setting_up_leads_to_the_speakers_page(client, tree, operator_a, running):
    make_cluster(tree.hamlet_a1)
    client.force_login(operator_a)
    answer = client.post(
        "/console/live/new/", {"areas": [tree.hamlet_a1.pk], "level": "normal"}
    )
    session = LiveSession.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/console/live/{session.pk}/"
    page = client.get(answer["Location"])
    assert b"data-live-start" in page.content


def test_only_the_operator_gets_a_microphone_token(client, tree, operator_a, running):
    make_cluster(tree.hamlet_a1)
    session = actions.start(operator_a, areas=[tree.hamlet_a1])
    client.force_login(make_user("operator", tree.commune_a))
    refused = client.post(f"/console/live/{session.pk}/microphone/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    client.force_login(operator_a)
    given = client.post(f"/console/live/{session.pk}/microphone/").json()
    assert given["socket"] == f"/live/mic/{session.pk}/" and given["token"]


def test_the_recording_is_served_only_within_scope(
    client,
    tree,
    operator_a,
    operator_b,
    running,
    outbox,
    django_capture_on_commit_callbacks,
):
    make_cluster(tree.hamlet_a1)
    session = _on_air(operator_a, tree.hamlet_a1, django_capture_on_commit_callbacks)
    session.recording.save("r.mp3", ContentFile(b"ID3 not really"), save=True)
    client.force_login(operator_b)
    assert client.get(f"/console/live/{session.pk}/recording.mp3").status_code == 404
    assert client.get("/console/live/").content.decode().count(session.title) == 0
    client.force_login(make_user("viewer", tree.commune_a))
    answer = client.get(f"/console/live/{session.pk}/recording.mp3")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"ID3 not really"


def _hook(http, password: str, **form):
    auth = base64.b64encode(f"icecast:{password}".encode()).decode()
    return http.post("/live/stream-hook/", form, HTTP_AUTHORIZATION=f"Basic {auth}")


def test_icecast_is_told_yes_only_for_the_sessions_token_while_on_the_air(
    client, tree, operator_a, running, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    session = _on_air(operator_a, tree.hamlet_a1, django_capture_on_commit_callbacks)
    mount = f"{session.mount}?token={session.listener_token}&device={cluster.code}"
    password = icecast.passwords()["hook"]
    assert _hook(client, "wrong", action="listener_add", mount=mount).status_code == 403
    yes = _hook(
        client,
        password,
        action="listener_add",
        mount=mount,
        client="7",
        ip="127.0.0.1",
    )
    assert yes["icecast-auth-user"] == "1"
    no = _hook(
        client,
        password,
        action="listener_add",
        mount=f"{session.mount}?token=guess&device=x",
        client="8",
    )
    assert "icecast-auth-user" not in no
    assert actions.listening(session) == 1
    _hook(client, password, action="listener_remove", mount=mount, client="7")
    assert actions.listening(session) == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.end(operator_a, session, "operator")
    late = _hook(client, password, action="listener_add", mount=mount, client="9")
    assert "icecast-auth-user" not in late
    assert LiveSession.objects.get().state == State.ENDED
