"""Push: the journal, the hub of a web process, and the event streams (WSGI and ASGI)."""

import asyncio
import json
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from grassroots.boards import actions, playlist
from grassroots.boards.models import PushEvent
from grassroots.boards.push import hub as hub_module
from grassroots.boards.push import journal, stream
from grassroots.boards.push.hub import HUB, Hub, Subscriber
from grassroots.testing import make_tree

from .builders import make_board


def frames(chunk: bytes) -> dict:
    """Return the fields of one server-sent event."""
    fields = {}
    for line in chunk.decode().strip().splitlines():
        name, _sep, value = line.partition(": ")
        fields[name] = value
    return fields


@pytest.mark.django_db
def test_the_hub_hands_each_journal_row_once_to_the_boards_it_concerns(tree):
    got = {"a": [], "b": [], "hamlet": []}
    hub = Hub()
    subscribers = [
        Subscriber(1, tree.commune_a.path, lambda m: got["a"].append(m) or True),
        Subscriber(2, tree.commune_b.path, lambda m: got["b"].append(m) or True),
        Subscriber(3, tree.hamlet_a1.path, lambda m: got["hamlet"].append(m) or True),
    ]
    for s in subscribers:
        s.since = s.since.replace(year=2000)
    journal.refresh_areas([tree.hamlet_a1.path], related=True)  # a hamlet's bulletin
    journal.takeover([tree.commune_b.path], {"id": "e1"})
    journal.command(1, "screenshot")
    rows = hub._poll()
    for row in rows:
        hub._dispatch(row, subscribers)
    assert [m["event"] for m in got["a"]] == ["refresh", "command"]
    assert [m["event"] for m in got["b"]] == ["takeover"]
    assert [m["event"] for m in got["hamlet"]] == ["refresh"]
    assert hub._poll() == []  # seen rows are not handed out twice


@pytest.mark.django_db
def test_a_subscriber_that_cannot_keep_up_is_dropped(tree):
    hub = Hub()
    slow = Subscriber(1, tree.commune_a.path, lambda m: False)
    slow.since = slow.since.replace(year=2000)
    hub._subscribers.add(slow)
    journal.refresh_board(1)
    for row in hub._poll():
        hub._dispatch(row, [slow])
    assert slow.closed and hub.connected == 0


@pytest.mark.django_db
def test_a_reconnecting_player_gets_what_it_missed_since_its_last_event(tree):
    board = make_board(tree.commune_a)
    journal.refresh_board(board.pk)
    last = PushEvent.objects.latest("pk").pk
    journal.takeover([tree.province.path], {"id": "e9", "title": "Bão"})
    journal.takeover([tree.commune_b.path], {"id": "e10"})
    first = stream.opening(board, "v1", last)
    assert first[0].startswith(b"retry: ")
    assert frames(first[1])["event"] == "hello"
    assert json.loads(frames(first[1])["data"])["version"] == "v1"
    assert [frames(f)["event"] for f in first[2:]] == ["takeover"]
    assert json.loads(frames(first[2])["data"])["id"] == "e9"


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_an_open_stream_within_a_second_and_revoking_ends_it(
    monkeypatch,
):
    """The WSGI stream, with the hub thread reading what other transactions commit."""
    monkeypatch.setattr(stream, "PING_INTERVAL_S", 3.0)
    tree = make_tree()
    board = make_board(tree.commune_a)
    token = board.player_token
    events = stream.sync_stream(board, token, None, playlist.version)
    assert next(events).startswith(b"retry:")
    hello = frames(next(events))
    assert json.loads(hello["data"])["version"] == playlist.version(board)
    started = time.monotonic()
    actions.take_over(
        emergency_id="fire-1",
        area_paths=[tree.commune_a.path],
        title="Cháy chợ",
        text="Tránh xa khu vực chợ.",
        level="emergency",
        actor=None,
    )
    takeover = frames(next(events))
    assert takeover["event"] == "takeover"
    assert json.loads(takeover["data"])["title"] == "Cháy chợ"
    assert time.monotonic() - started < 2.0
    actions.rotate_address(None, board)
    assert frames(next(events))["event"] == "revoked"
    with pytest.raises(StopIteration):
        next(events)
    assert HUB.count(board.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_the_asgi_stream_serves_from_the_event_loop(monkeypatch):
    """Under ASGI (uvicorn) the view streams an async iterator: no thread per board."""
    monkeypatch.setattr(stream, "PING_INTERVAL_S", 0.5)
    tree = make_tree()
    board = make_board(tree.commune_a)

    async def scenario():
        response = await AsyncClient().get(board.player_path + "events")
        assert response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).startswith(b"retry:")
        assert frames(await anext(chunks))["event"] == "hello"
        assert frames(await asyncio.wait_for(anext(chunks), 3))["event"] == "ping"
        await sync_to_async(actions.send_command)(None, board, "screenshot")
        # The hub reads the journal every half second, as often as the pings
        # come here: a ping may go out before the command, never instead of it.
        received = frames(await asyncio.wait_for(anext(chunks), 3))
        for _ in range(5):
            if received["event"] != "ping":
                break
            received = frames(await asyncio.wait_for(anext(chunks), 3))
        assert received["event"] == "command"
        assert json.loads(received["data"]) == {"command": "screenshot"}
        await chunks.aclose()

    async_to_sync(scenario)()
    assert HUB.count(board.pk) == 0


@pytest.mark.django_db
def test_a_board_may_hold_only_a_few_connections(client, tree, monkeypatch):
    board = make_board(tree.commune_a)
    monkeypatch.setattr(HUB, "count", lambda board_id: 3)
    response = client.get(board.player_path + "events")
    assert (response.status_code, response.json()["code"]) == (
        429,
        "too_many_connections",
    )


def test_the_hub_polls_often_enough_for_two_seconds():
    assert hub_module.POLL_INTERVAL_S <= 0.5


def _asgi_get(path: str):
    """Return (task, sent, disconnect) for a GET through the web process's ASGI app."""
    from grassroots.asgi import application

    sent: list[dict] = []
    disconnect = asyncio.Event()
    requested: list[bool] = []

    async def receive():
        if not requested:  # the (empty) request body comes first
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    return asyncio.ensure_future(application(scope, receive, send)), sent, disconnect


async def _until(predicate, timeout=3.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


def _bodies(sent):
    return b"".join(
        m.get("body", b"") for m in sent if m["type"] == "http.response.body"
    )


@pytest.mark.django_db(transaction=True)
def test_the_web_process_streams_in_front_of_the_middleware(monkeypatch):
    """uvicorn serves streams from the event loop; a closed page frees them at once."""
    monkeypatch.setattr(stream, "PING_INTERVAL_S", 30.0)
    tree = make_tree()
    board = make_board(tree.commune_a)

    async def scenario():
        task, sent, disconnect = _asgi_get(board.player_path + "events")
        await _until(lambda: b"event: hello" in _bodies(sent))
        assert sent[0]["status"] == 200
        assert (b"content-type", b"text/event-stream") in sent[0]["headers"]
        await sync_to_async(actions.send_command)(None, board, "reload")
        await _until(lambda: b"event: command" in _bodies(sent))
        disconnect.set()  # the page closes: no need to wait for a ping
        await asyncio.wait_for(task, 3)

        unknown, sent, _ = _asgi_get("/board/" + "x" * 43 + "/events")
        await asyncio.wait_for(unknown, 3)
        assert sent[0]["status"] == 404
        assert json.loads(_bodies(sent))["code"] == "unknown_board"

        health, sent, _ = _asgi_get("/healthz")  # everything else: Django as before
        await asyncio.wait_for(health, 5)
        assert sent[0]["status"] == 200

    async_to_sync(scenario)()
    assert HUB.count(board.pk) == 0
