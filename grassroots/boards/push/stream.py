"""The server-sent event stream a player holds open.

The same stream is served two ways: as an async iterator under ASGI (the
web process, uvicorn: a connection costs no thread), and as a plain
generator under WSGI (``runserver``, Django's test live server). Both open
with the state the player must have (``hello`` with the content version,
and the events it missed since ``Last-Event-ID``), then pass on what the hub
hands them, with a ``ping`` every ``PING_INTERVAL_S`` so that proxies keep
the connection and the player can tell a dead one from a quiet one.
"""

from __future__ import annotations

import asyncio
import json
import queue
import random
import time
from collections.abc import AsyncGenerator, Iterator
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from ..models import PushEvent
from .hub import HUB, Subscriber, message
from .journal import token_fingerprint

#: Seconds between pings on a quiet connection.
PING_INTERVAL_S = 15.0
#: A connection is closed after this long; the player reconnects at once and
#: the server checks its address again.
MAX_STREAM_S = 30 * 60
#: Messages a slow connection may have waiting before it is dropped.
QUEUE_SIZE = 200
#: Events missed while disconnected are replayed this far back at most.
REPLAY_WINDOW = timedelta(minutes=10)


def frame(event: str, data: Any, event_id: int | None = None) -> bytes:
    """Return one server-sent event, ready to write."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


def opening(board, version: str, last_event_id: int | None) -> list[bytes]:
    """Return the first frames: reconnection delay, hello, and missed events."""
    # Spread reconnections of a whole province after a restart over seconds.
    retry_ms = 2000 + random.randint(0, 3000)  # noqa: S311 - not a secret
    frames = [f"retry: {retry_ms}\n\n".encode()]
    frames.append(
        frame(
            "hello",
            {"version": version, "server_time": timezone.now().isoformat()},
        )
    )
    if last_event_id:
        missed = PushEvent.objects.filter(
            pk__gt=last_event_id, created_at__gte=timezone.now() - REPLAY_WINDOW
        ).order_by("pk")[:200]
        for row in missed:
            if row.concerns(board.pk, board.area.path):
                frames.append(to_frame(message(row)))
    return frames


def first_frames(board, version_of, last_event_id: int | None) -> list[bytes]:
    """Return the opening frames, then let go of the database connection.

    A stream lasts for hours and reads nothing more; holding a connection
    for each open board would exhaust the database's (PostgreSQL's limit is
    a few hundred, a province has thousands of boards).
    """
    try:
        return opening(board, version_of(board), last_event_id)
    finally:
        connection.close()


def ping() -> bytes:
    return frame("ping", {"server_time": timezone.now().isoformat()})


def to_frame(msg: dict[str, Any]) -> bytes:
    return frame(msg["event"], msg["data"], msg["id"])


def ends_stream(msg: dict[str, Any], token: str) -> bool:
    """Return True if ``msg`` revokes the address this connection was opened with."""
    return msg["event"] == "revoked" and msg["data"].get("token") in (
        None,
        token_fingerprint(token),
    )


def _subscriber(board, token: str, deliver) -> Subscriber:
    return Subscriber(
        board_id=board.pk, path=board.area.path, deliver=deliver, token=token
    )


def sync_stream(
    board, token: str, last_event_id: int | None, version_of
) -> Iterator[bytes]:
    """Serve the stream from a thread (WSGI)."""
    inbox: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=QUEUE_SIZE)

    def deliver(msg: dict[str, Any]) -> bool:
        try:
            inbox.put_nowait(msg)
        except queue.Full:
            return False
        return True

    subscriber = _subscriber(board, token, deliver)
    HUB.subscribe(subscriber)
    try:
        # Subscribed first, then the state read: a change in between is
        # both in the version and in the queue, never in neither.
        yield from first_frames(board, version_of, last_event_id)
        deadline = time.monotonic() + MAX_STREAM_S
        while time.monotonic() < deadline and not subscriber.closed:
            try:
                msg = inbox.get(timeout=PING_INTERVAL_S)
            except queue.Empty:
                yield ping()
                continue
            yield to_frame(msg)
            if ends_stream(msg, token):
                return
    finally:
        HUB.unsubscribe(subscriber)


async def async_stream(
    board, token: str, last_event_id: int | None, version_of
) -> AsyncGenerator[bytes, None]:
    """Serve the stream from the event loop (ASGI): no thread per connection."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def put(msg: dict[str, Any]) -> None:
        try:
            inbox.put_nowait(msg)
        except asyncio.QueueFull:
            subscriber.closed = True

    def deliver(msg: dict[str, Any]) -> bool:
        if subscriber.closed:
            return False
        loop.call_soon_threadsafe(put, msg)
        return True

    subscriber = _subscriber(board, token, deliver)
    HUB.subscribe(subscriber)
    try:
        # Any pool thread: first_frames closes its database connection itself.
        first = await sync_to_async(first_frames, thread_sensitive=False)(
            board, version_of, last_event_id
        )
        for chunk in first:
            yield chunk
        deadline = loop.time() + MAX_STREAM_S
        while loop.time() < deadline and not subscriber.closed:
            try:
                msg = await asyncio.wait_for(inbox.get(), timeout=PING_INTERVAL_S)
            except TimeoutError:
                yield ping()
                continue
            yield to_frame(msg)
            if ends_stream(msg, token):
                return
    finally:
        HUB.unsubscribe(subscriber)
