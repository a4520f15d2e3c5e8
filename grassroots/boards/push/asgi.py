"""Serve the players' push streams from the event loop, in front of Django.

Django runs its synchronous middleware in a thread that it keeps for the
whole request; for a stream that stays open for hours that is one idle
thread per board (about 280 KB each, measured in bench/boards.py). The
streams need none of the middleware — no cookie, session or CSRF token is
involved, the address in the URL is the credential — so this thin ASGI layer
answers ``GET /board/<token>/events`` itself and hands every other request
to Django unchanged. Under WSGI (``runserver``, the test live server) the
Django view in ``views/device.py`` serves the same stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import translation

from .. import playlist
from .hub import HUB
from .stream import async_stream

EVENTS = re.compile(r"^/board/(?P<token>[A-Za-z0-9_-]{32,64})/events$")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def with_board_streams(django_app):
    """Return an ASGI application serving board streams, Django for the rest."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            match = EVENTS.match(scope.get("path", ""))
            if match:
                await serve_events(scope, receive, send, match["token"])
                return
        await django_app(scope, receive, send)

    return application


def _lookup(token: str):
    """Return (board, None) or (None, refusal), and let go of the connection."""
    from ..views.device import MAX_STREAMS_PER_BOARD, Refused, board_for

    try:
        with translation.override("vi"):
            try:
                board = board_for(token)
            except Refused as refused:
                return None, refused
            if HUB.count(board.pk) >= MAX_STREAMS_PER_BOARD:
                return None, Refused(
                    429,
                    "too_many_connections",
                    str(translation.gettext("This board is already connected.")),
                )
            board.area  # noqa: B018 - loaded here, in the thread, not in the loop
            return board, None
    finally:
        connection.close()


def _last_event_id(scope: Scope) -> int | None:
    headers = dict(scope.get("headers") or [])
    raw = headers.get(b"last-event-id", b"").decode("latin-1")
    if not raw:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("last_event_id") or [""])[0]
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


async def _refuse(send: Send, refused) -> None:
    body = json.dumps(
        {"code": refused.code, "message": str(refused.message)}, ensure_ascii=False
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def serve_events(scope: Scope, receive: Receive, send: Send, token: str) -> None:
    board, refused = await sync_to_async(_lookup, thread_sensitive=False)(token)
    if refused is not None:
        await _refuse(send, refused)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream"),
                (b"cache-control", b"no-cache, no-transform"),
                (b"x-accel-buffering", b"no"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    chunks = async_stream(board, token, _last_event_id(scope), playlist.version)
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        while True:
            step = asyncio.ensure_future(anext(chunks))
            done, _pending = await asyncio.wait(
                {step, gone}, return_when=asyncio.FIRST_COMPLETED
            )
            if gone in done:
                step.cancel()
                with contextlib.suppress(BaseException):
                    await step  # let the stream unsubscribe before closing it
                return
            try:
                chunk = step.result()
            except StopAsyncIteration:
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except OSError:  # the client went away mid-write
        return
    finally:
        gone.cancel()
        await chunks.aclose()


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
