"""Streams a device plays as they come: live broadcasts and relays (tiếp sóng).

A live item names the session's stream and a listener token; the device
adds the token and its own id to the URL (the stream server asks the
installation whether that token opens that stream, and counts who listens).
:class:`StreamListener` is the simulator's ear: it really connects, reads
and counts the bytes, and ends when the stream ends or stalls, without
decoding them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

logger = logging.getLogger(__name__)

#: Without audio for this long a stream is given up and the schedule resumes.
DEFAULT_STALL_S = 5.0
#: How long connecting and the server's answer may take.
CONNECT_TIMEOUT_S = 10.0


def is_stream(item: dict[str, Any]) -> bool:
    """Return True for an item played from the network as it comes."""
    return "live" in item or "relay_url" in item


def stall_s(item: dict[str, Any]) -> float:
    return float((item.get("live") or {}).get("stall_s", DEFAULT_STALL_S))


def source_url(item: dict[str, Any], device_id: str) -> str:
    """Return the address to play: the live stream with token and device, or the relay."""
    live = item.get("live")
    if live is None:
        return str(item.get("relay_url", ""))
    url = str(live["url"])
    query = urlencode({"token": live["token"], "device": device_id})
    return f"{url}{'&' if '?' in url else '?'}{query}"


class StreamRefused(OSError):
    """The stream server answered something other than 200 (a wrong or old token)."""


class StreamListener:
    """Reads one HTTP stream to its end, counting bytes; stops after a stall.

    ``done(ok, reason)`` is called once: ``True`` when the server ended the
    stream, ``False`` with the reason when it was refused, broke or stalled.
    Cancelling the task (a stop, a pre-emption) calls nothing.
    """

    __slots__ = ("url", "stall_s", "bytes", "on_bytes")

    def __init__(
        self,
        url: str,
        stall_s: float = DEFAULT_STALL_S,
        on_bytes: Callable[[int], None] | None = None,
    ):
        self.url = url
        self.stall_s = stall_s
        self.bytes = 0
        self.on_bytes = on_bytes

    async def run(self, done: Callable[[bool, str], None]) -> None:
        try:
            await self._read()
        except TimeoutError:
            done(False, f"stream stalled for {self.stall_s:.0f} s")
        except StreamRefused as exc:
            done(False, str(exc))
        except (OSError, ValueError) as exc:
            done(False, f"stream broke: {exc}"[:200])
        else:
            done(True, "")

    async def _read(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"cannot listen to {parts.scheme}:// streams")
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                parts.hostname,
                port,
                ssl=ssl.create_default_context() if secure else None,
            ),
            CONNECT_TIMEOUT_S,
        )
        try:
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            writer.write(
                f"GET {target} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
                "User-Agent: grassroots-agent\r\nIcy-MetaData: 0\r\n\r\n".encode()
            )
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), CONNECT_TIMEOUT_S)
            fields = status.decode("latin-1").split()
            if len(fields) < 2 or fields[1] != "200":
                raise StreamRefused(f"stream refused: {status.decode('latin-1')[:80]}")
            while (
                await asyncio.wait_for(reader.readline(), CONNECT_TIMEOUT_S)
            ).strip():
                pass  # headers
            while True:
                chunk = await asyncio.wait_for(reader.read(8192), self.stall_s)
                if not chunk:
                    return
                self.bytes += len(chunk)
                if self.on_bytes is not None:
                    self.on_bytes(len(chunk))
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
