"""The microphone socket and the stream server's listener check, with uvicorn,
ffmpeg and Icecast (no browser: a WebSocket client sends a WebM/Opus file)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from grassroots.live import actions
from grassroots.live.models import EndReason, LiveSession, State

from .conftest import decode, rms, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def webm(speech_wav, tmp_path_factory) -> bytes:
    """The speech as a browser's MediaRecorder sends it: Opus in WebM."""
    path = tmp_path_factory.mktemp("webm") / "speech.webm"
    subprocess.run(  # noqa: S603
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(speech_wav),
            "-c:a",
            "libopus",
            "-b:a",
            "48k",
            "-f",
            "webm",
            "-y",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


def _cookie(client, user) -> str:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _socket(web, session, token, cookie, origin=None):
    return connect(
        f"ws://127.0.0.1:{web.port}/live/mic/{session.pk}/?token={token}",
        additional_headers={"Cookie": cookie, "Origin": origin or web.url},
        open_timeout=10,
    )


def _listen(stream_server, session, token, device="28261-H01-1") -> tuple[int, bytes]:
    url = (
        f"http://127.0.0.1:{stream_server.port}{session.mount}"
        f"?token={token}&device={device}"
    )
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
            return answer.status, answer.read(4000)
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _commands(outbox, action: str) -> list[dict]:
    return [
        m.json()
        for m in outbox.messages
        if m.topic.endswith("/cmd") and m.json().get("action") == action
    ]


def test_a_silent_microphone_ends_the_session_for_every_device(
    tree, operator_a, web, stream_server, outbox, client, webm
):
    """Sound goes on the air; when it stops coming, devices are told to stop."""
    from grassroots.loudspeakers.tests.factories import make_cluster

    make_cluster(tree.hamlet_a1)
    session = actions.start(operator_a, areas=[tree.hamlet_a1], title="Thử")
    token = actions.open_microphone(operator_a, session)
    with _socket(web, session, token, _cookie(client, operator_a)) as socket:
        socket.send('{"type": "start", "mime": "audio/webm;codecs=opus"}')
        for offset in range(0, len(webm), 2000):
            socket.send(webm[offset : offset + 2000])
            time.sleep(0.02)
        wait_for(lambda: LiveSession.objects.get().state == State.ON_AIR)
        session = LiveSession.objects.get()
        played = _commands(outbox, "play_now")
        assert [c["args"]["item"]["live"]["token"] for c in played] == [
            session.listener_token
        ]
        # The session's token opens its stream; no other token does.
        status, heard = _listen(stream_server, session, session.listener_token)
        assert status == 200 and heard
        assert _listen(stream_server, session, "x" * 32)[0] == 401
        # Nothing more comes from the microphone: the server ends it.
        ended = wait_for(lambda: "ended" in socket.recv(timeout=10), timeout=15)
        assert ended
    session = wait_for(
        lambda: (
            LiveSession.objects.filter(state=State.ENDED).exclude(recording="").first()
        )
    )
    assert session.end_reason == EndReason.MICROPHONE
    stops = _commands(outbox, "stop")
    assert [c["args"]["item"] for c in stops] == [session.item_id]
    # Its token expired with it.
    assert _listen(stream_server, session, session.listener_token)[0] in (401, 404)
    assert rms(decode(session.recording.path)) > 0.01


def test_only_the_sessions_operator_with_a_fresh_token_opens_the_microphone(
    tree, operator_a, web, stream_server, outbox, client
):
    from grassroots.loudspeakers.tests.factories import make_cluster
    from grassroots.testing import make_user

    make_cluster(tree.hamlet_a1)
    colleague = make_user("operator", tree.commune_a, username="op_live_a2")
    session = actions.start(operator_a, areas=[tree.hamlet_a1])
    token = actions.open_microphone(operator_a, session)
    refused = [
        (token, _cookie(client, colleague), None),  # another operator of the commune
        ("wrong" * 8, _cookie(client, operator_a), None),  # a wrong token
        (token, _cookie(client, operator_a), "http://evil.example"),  # another site
        (token, "sessionid=nobody", None),  # not logged in
    ]
    for attempt, cookie, origin in refused:
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            with _socket(web, session, attempt, cookie, origin) as socket:
                socket.recv(timeout=5)
    # The right one works once; the same token again does not.
    with _socket(web, session, token, _cookie(client, operator_a)) as socket:
        socket.send('{"type": "end"}')
        assert "ended" in socket.recv(timeout=10)
    with pytest.raises((InvalidStatus, ConnectionClosed)):
        with _socket(web, session, token, _cookie(client, operator_a)) as socket:
            socket.recv(timeout=5)
    assert LiveSession.objects.get().end_reason == EndReason.OPERATOR


def test_a_lost_connection_ends_the_session_for_every_device(
    tree, operator_a, web, stream_server, outbox, client, webm
):
    from grassroots.loudspeakers.tests.factories import make_cluster

    make_cluster(tree.hamlet_a1)
    session = actions.start(operator_a, areas=[tree.hamlet_a1])
    token = actions.open_microphone(operator_a, session)
    socket = _socket(web, session, token, _cookie(client, operator_a))
    socket.send('{"type": "start", "mime": "audio/webm"}')
    for offset in range(0, len(webm), 2000):
        socket.send(webm[offset : offset + 2000])
        time.sleep(0.02)
    wait_for(lambda: LiveSession.objects.get().state == State.ON_AIR)
    socket.socket.close()  # the phone's network is gone, no goodbye
    session = wait_for(lambda: LiveSession.objects.filter(state=State.ENDED).first())
    assert session.end_reason in (EndReason.NETWORK, EndReason.MICROPHONE)
    assert [c["args"]["item"] for c in _commands(outbox, "stop")] == [session.item_id]
