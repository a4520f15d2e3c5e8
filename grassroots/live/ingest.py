"""The microphone socket: the speaker's browser sends its sound, ffmpeg feeds Icecast.

``/live/mic/<session>/?token=…`` is a WebSocket served from the event loop
(``with_live_sockets`` in ``grassroots/asgi.py``), in front of Django's
middleware. It is opened only by the session's operator: the staff session
cookie names the user, whose session must have passed the second factor
when they have one (or ``GRASSROOTS_REQUIRE_2FA``), the one-time token from
``actions.open_microphone`` is used up, and the browser's ``Origin`` must be
this site's (no other site can open it with the operator's cookie).

The browser sends one text message ``{"type": "start", "mime": …}``, then
its MediaRecorder's chunks (Opus in WebM or Ogg) as binary messages, and
``{"type": "end"}`` for "Kết thúc". One ffmpeg per session reads the chunks
on its standard input and encodes them once to MP3, which goes both to the
session's Icecast mount and to the recording file (ffmpeg's tee muxer).

The session ends cleanly for every device whatever happens: no sound for
``SILENT_S`` (a microphone unplugged, a phone locked, a network gone
quiet), the socket closed, or ffmpeg (or Icecast) failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shutil
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest

from . import icecast

logger = logging.getLogger(__name__)

SOCKET = re.compile(r"^/live/mic/(?P<session>[0-9]{1,18})/$")
#: No sound from the browser for this long ends the session (a lost microphone).
SILENT_S = 5.0
#: The page opens the microphone before the socket; its first sound comes
#: within a second, but a slow phone gets this much more.
FIRST_CHUNK_GRACE_S = 5.0
#: How often the session notes it still hears the microphone.
HEARD_EVERY_S = 5.0
#: How long the stream server may take to show the new mount.
MOUNT_WAIT_S = 10.0
#: The largest chunk a browser may send (a 100 ms chunk is about 1.5 KB).
MAX_CHUNK = 256 * 1024
BITRATE = "64k"
#: MediaRecorder types the browser may send, and ffmpeg's name for each.
FORMATS = {"audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "mp4"}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def with_live_sockets(app):
    """Return an ASGI application serving microphone sockets, ``app`` for the rest."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            match = SOCKET.match(scope.get("path", ""))
            if match:
                await serve(scope, receive, send, int(match["session"]))
                return
            await receive()
            await send({"type": "websocket.close", "code": 4404})
            return
        await app(scope, receive, send)

    return application


# Who is speaking ------------------------------------------------------------------


def _headers(scope: Scope) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): v.decode("latin-1")
        for k, v in scope.get("headers") or []
    }


def _same_origin(headers: dict[str, str]) -> bool:
    origin = headers.get("origin", "")
    if not origin:
        return False
    trusted = {urlsplit(o).netloc for o in settings.CSRF_TRUSTED_ORIGINS}
    return urlsplit(origin).netloc in ({headers.get("host", "")} | trusted)


def _user_of(headers: dict[str, str]):
    """Return the staff user of the session cookie, None if not logged in or not verified."""
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    from grassroots.emergencies.actions import needs_second_factor

    cookie = SimpleCookie()
    with contextlib.suppress(Exception):  # a malformed cookie header: nobody
        cookie.load(headers.get("cookie", ""))
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    engine = import_string(settings.SESSION_ENGINE + ".SessionStore")
    store: SessionBase = engine(morsel.value)
    request = HttpRequest()
    request.session = store
    user = get_user(request)
    if not user.is_authenticated or not user.is_active:
        return None
    if needs_second_factor(user):
        device = Device.from_persistent_id(store.get(DEVICE_ID_SESSION_KEY) or "")
        if device is None or device.user_id != user.pk:
            return None
    return user


def _authorize(scope: Scope, session_id: int):
    """Return (session, user) if this socket may feed the session, else None."""
    from django.core.exceptions import PermissionDenied

    from grassroots.accounts import audit

    from . import actions

    headers = _headers(scope)
    try:
        if not _same_origin(headers):
            return None
        user = _user_of(headers)
        if user is None:
            return None
        token = (
            parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
            or [""]
        )[0]
        client = (scope.get("client") or [None])[0]
        with audit.acting_as(
            audit.Origin(ip_address=client, source=audit.Source.CONSOLE)
        ):
            try:
                session = actions.claim_microphone(user, session_id, token)
            except PermissionDenied:
                return None
        session.target_areas.all()  # noqa: B018 - loaded here, not in the loop
        return session, user
    finally:
        connection.close()


def _call(function, *args, **kwargs):
    """Run an action in a worker thread, with the audit origin of the socket."""
    from grassroots.accounts import audit

    origin = kwargs.pop("origin")

    def run():
        try:
            with audit.acting_as(origin):
                return function(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(run, thread_sensitive=False)()


# The sound ------------------------------------------------------------------------


def _recording_path(session_id: int) -> Path:
    folder = Path(settings.DATA_DIR) / "live"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"session-{session_id}.mp3"


def ffmpeg_argv(input_format: str, mount: str, recording: Path) -> list[str]:
    """Return ffmpeg's command: browser chunks in, one MP3 to Icecast and the file.

    MP3 at 64 kbit/s mono: every cheap loudspeaker decoder chip and every
    player decodes it, and it starts on any frame (a device joining late
    needs no stream header). Probing nothing and flushing every packet
    keeps the delay to what the encoder needs.
    """
    binary = shutil.which("ffmpeg") or "ffmpeg"
    stream = icecast.source_url(mount)
    return [
        binary,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-fflags",
        "nobuffer",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
        input_format,
        "-i",
        "pipe:0",
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-ar",
        "44100",
        "-c:a",
        "libmp3lame",
        "-b:a",
        BITRATE,
        "-flush_packets",
        "1",
        "-f",
        "tee",
        f"[f=mp3:id3v2_version=0:write_xing=0:onfail=abort]{stream}"
        f"|[f=mp3:onfail=ignore]{recording}",
    ]


async def _duration_of(path: Path) -> float:
    probe = shutil.which("ffprobe") or "ffprobe"
    process = await asyncio.create_subprocess_exec(
        probe,
        "-v",
        "error",
        "-show_entries",
        "format=duration",
        "-of",
        "csv=p=0",
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _err = await process.communicate()
    try:
        return float(out.decode().strip())
    except ValueError:
        return 0.0


class Feed:
    """One session's ffmpeg and what it has been given."""

    def __init__(self, session, input_format: str):
        self.session = session
        self.input_format = input_format
        self.recording = _recording_path(session.pk)
        self.process: asyncio.subprocess.Process | None = None
        self.bytes = 0
        self.stderr = b""

    async def start(self) -> None:
        self.recording.unlink(missing_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            *ffmpeg_argv(self.input_format, self.session.mount, self.recording),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    async def wait(self) -> int:
        """Wait for ffmpeg to end and return its exit code."""
        assert self.process is not None  # noqa: S101 - start() came first
        return await self.process.wait()

    async def write(self, chunk: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None  # noqa: S101
        self.process.stdin.write(chunk)
        await asyncio.wait_for(self.process.stdin.drain(), SILENT_S)
        self.bytes += len(chunk)

    async def close(self) -> int | None:
        """Let ffmpeg finish the recording; return its exit code."""
        process = self.process
        if process is None:
            return None
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()
        try:
            code = await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            code = await process.wait()
        if process.stderr is not None:
            self.stderr = (await process.stderr.read(2000))[-500:]
        return code


async def _wait_for_mount(mount: str) -> bool:
    deadline = time.monotonic() + MOUNT_WAIT_S
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(icecast.mounts, 1.0)
        if found and mount in found:
            return True
        await asyncio.sleep(0.1)
    return False


async def _send_json(send: Send, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError, RuntimeError):
        await send({"type": "websocket.send", "text": json.dumps(message)})


async def serve(scope: Scope, receive: Receive, send: Send, session_id: int) -> None:
    """Take one speaker's sound until the session ends, then end it everywhere."""
    from grassroots.accounts import audit

    from . import actions
    from .models import EndReason

    first = await receive()
    if first["type"] != "websocket.connect":
        return
    allowed = await sync_to_async(_authorize, thread_sensitive=False)(scope, session_id)
    if allowed is None:
        await send({"type": "websocket.close", "code": 4403})
        return
    session, user = allowed
    client = (scope.get("client") or [None])[0]
    origin = audit.Origin(ip_address=client, source=audit.Source.CONSOLE)
    await send({"type": "websocket.accept"})
    feed: Feed | None = None
    on_air: asyncio.Future | None = None
    ffmpeg: asyncio.Future | None = None
    receiving: asyncio.Future = asyncio.ensure_future(receive())
    # Every way out of the loop names its reason; an unexpected error ends
    # the session too (``finally``), as the server no longer hearing it.
    reason = EndReason.LOST
    actor = None
    last_chunk = time.monotonic() + FIRST_CHUNK_GRACE_S
    last_heard = time.monotonic()
    try:
        while True:
            waits = {receiving} | {f for f in (ffmpeg, on_air) if f and not f.done()}
            silent_for = time.monotonic() - last_chunk
            done, _pending = await asyncio.wait(
                waits,
                timeout=max(0.0, SILENT_S - silent_for),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done:
                reason = EndReason.MICROPHONE
                break
            if ffmpeg is not None and ffmpeg in done:
                reason = EndReason.STREAM
                break
            if on_air is not None and on_air in done:
                if not on_air.result():
                    reason = EndReason.STREAM
                    break
                await _send_json(send, {"type": "on_air"})
            if receiving not in done:
                continue
            message = receiving.result()
            receiving = asyncio.ensure_future(receive())
            if message["type"] == "websocket.disconnect":
                reason = EndReason.NETWORK
                break
            if message.get("text") is not None:
                kind, mime = _control(message["text"])
                if kind == "end":
                    reason, actor = EndReason.OPERATOR, user
                    break
                if kind == "start" and feed is None:
                    feed = Feed(session, FORMATS.get(mime, "webm"))
                    await feed.start()
                    ffmpeg = asyncio.ensure_future(feed.wait())
                continue
            chunk = message.get("bytes") or b""
            if not chunk or len(chunk) > MAX_CHUNK:
                continue
            if feed is None:
                feed = Feed(session, "webm")
                await feed.start()
                ffmpeg = asyncio.ensure_future(feed.wait())
            await feed.write(chunk)
            last_chunk = time.monotonic()
            if on_air is None:
                on_air = asyncio.ensure_future(_go_on_air(session, origin))
            aired = on_air is not None and on_air.done() and on_air.result()
            if aired and time.monotonic() - last_heard > HEARD_EVERY_S:
                last_heard = time.monotonic()
                try:
                    still_on_air = await _call(actions.heard, session.pk, origin=origin)
                except DatabaseError as exc:
                    # A busy database must not cut the speaker off; the
                    # worker ends the session only after 30 s unheard.
                    logger.warning("Live session %s: not noted: %s", session.pk, exc)
                    still_on_air = True
                if not still_on_air:
                    break  # ended from the console meanwhile: already stopped
    except (OSError, TimeoutError) as exc:
        logger.warning(
            "Live session %s: the sound could not be fed: %s", session.pk, exc
        )
        reason = EndReason.STREAM
    finally:
        for future in (receiving, on_air, ffmpeg):
            if future is not None and not future.done():
                future.cancel()
        await _finish(session, actor, reason, feed, origin)
    await _send_json(send, {"type": "ended", "reason": str(reason)})
    with contextlib.suppress(OSError, RuntimeError):
        await send({"type": "websocket.close", "code": 1000})


def _control(text: str) -> tuple[str, str]:
    """Return the kind of a text message from the page, and the sound's type."""
    try:
        data = json.loads(text)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    mime = str(data.get("mime", "")).split(";")[0].strip().lower()
    return str(data.get("type", "")), mime


async def _go_on_air(session, origin) -> bool:
    from django.core.exceptions import PermissionDenied, ValidationError

    from . import actions

    if not await _wait_for_mount(session.mount):
        return False
    for attempt in range(5):
        try:
            await _call(actions.go_on_air, session, origin=origin)
        except (ValidationError, PermissionDenied) as exc:
            # Ended meanwhile from the console, or the speaker lost their role.
            logger.info("Live session %s does not go on the air: %s", session.pk, exc)
            return False
        except DatabaseError as exc:
            logger.warning("Live session %s: not on the air yet: %s", session.pk, exc)
            await asyncio.sleep(0.2 * (attempt + 1))
        else:
            return True
    return False


async def _finish(session, actor, reason, feed: Feed | None, origin) -> None:
    """End the session for every device first, then close and keep the recording."""
    from . import actions

    for attempt in range(5):
        try:
            await _call(actions.end, actor, session, reason, origin=origin)
            break
        except DatabaseError as exc:
            # Devices must hear the end: try again; the worker's minute job
            # ends it (30 s unheard) if the database stays unavailable.
            logger.warning("Live session %s: cannot end yet: %s", session.pk, exc)
            await asyncio.sleep(0.2 * (attempt + 1))
    if feed is None:
        return
    code = await feed.close()
    if code not in (0, None) and feed.stderr:
        logger.warning(
            "Live session %s: ffmpeg said %s",
            session.pk,
            feed.stderr.decode(errors="replace"),
        )
    path = feed.recording
    if path.exists() and path.stat().st_size > 0:
        duration = await _duration_of(path)
        await _call(actions.keep_recording, session, path, duration, origin=origin)
        path.unlink(missing_ok=True)
