"""A small MQTT 3.1.1 client on asyncio, for the agent and for the fleet simulator.

Why not paho: the simulator holds ten thousand connections in one process and
must answer a command broadcast to all of them within a second. A client per
device built on ``asyncio.Protocol`` costs a few kilobytes and no thread or
task of its own; paho's costs tens of kilobytes and its own socket loop. The
agent uses the same code, so what the benchmarks measure is what devices run.

Only what devices need is here: CONNECT (user name, password, last will,
keepalive), SUBSCRIBE, UNSUBSCRIBE, PUBLISH at QoS 0 and 1 both ways, PINGREQ,
DISCONNECT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import struct
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 8, 9, 10, 11
PINGREQ, PINGRESP, DISCONNECT = 12, 13, 14
#: CONNACK return codes (MQTT 3.1.1 §3.2.2.3).
REFUSALS = {
    1: "unacceptable protocol version",
    2: "client id rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}
MAX_PACKET_BYTES = 1024 * 1024


class MqttError(ConnectionError):
    """The connection failed or was lost."""


class ConnectRefused(MqttError):
    """The broker refused the connection; ``code`` 4 and 5 are credentials."""

    def __init__(self, code: int):
        super().__init__(REFUSALS.get(code, f"refused with code {code}"))
        self.code = code

    @property
    def bad_credentials(self) -> bool:
        return self.code in (4, 5)


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


def _string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("!H", len(data)) + data


def _remaining_length(length: int) -> bytes:
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(out)


def _packet(kind: int, flags: int, body: bytes) -> bytes:
    return bytes([(kind << 4) | flags]) + _remaining_length(len(body)) + body


def publish_packet(
    topic: str, payload: bytes, qos: int, retain: bool, packet_id: int = 0
) -> bytes:
    flags = (qos << 1) | (1 if retain else 0)
    body = _string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return _packet(PUBLISH, flags, body)


OnMessage = Callable[[str, bytes, bool], None]
OnClose = Callable[[Exception | None], None]


class Connection(asyncio.Protocol):
    """One MQTT session over one TCP (or TLS) connection.

    ``on_message(topic, payload, retained)`` is called for each message; QoS 1
    messages are acknowledged after it returns. ``on_close(exc)`` is called
    once when the connection ends, for whatever reason.
    """

    __slots__ = (
        "transport",
        "buffer",
        "on_message",
        "on_close",
        "connack",
        "pending",
        "next_id",
        "keepalive",
        "ping_handle",
        "pong_due",
        "closed",
        "loop",
        "frozen",
        "outbox",
    )

    def __init__(self, on_message: OnMessage, on_close: OnClose | None = None):
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.on_message = on_message
        self.on_close = on_close
        self.loop = asyncio.get_running_loop()
        self.connack: asyncio.Future[int] = self.loop.create_future()
        self.pending: dict[int, asyncio.Future[bytes]] = {}
        self.next_id = 0
        self.keepalive = 0
        self.ping_handle: asyncio.TimerHandle | None = None
        self.pong_due = False
        self.closed = False
        self.frozen = False
        #: While packets just read are handled: what to send, in one write.
        self.outbox: list[bytes] | None = None

    # Opening and closing ----------------------------------------------------

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        client_id: str,
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 60,
        will: Will | None = None,
        clean_session: bool = True,
        on_message: OnMessage,
        on_close: OnClose | None = None,
        tls: ssl.SSLContext | None = None,
        timeout: float = 10.0,
    ) -> Connection:
        """Connect, log in and return the open connection, or raise MqttError."""
        loop = asyncio.get_running_loop()
        try:
            _transport, connection = await asyncio.wait_for(
                loop.create_connection(
                    lambda: cls(on_message, on_close), host, port, ssl=tls
                ),
                timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise MqttError(f"cannot reach {host}:{port}: {exc}") from exc
        connection.keepalive = keepalive
        connection._send_connect(
            client_id, username, password, keepalive, will, clean_session
        )
        try:
            code = await asyncio.wait_for(asyncio.shield(connection.connack), timeout)
        except TimeoutError:
            connection.abort()
            raise MqttError("no answer to CONNECT") from None
        if code:
            connection.abort()
            raise ConnectRefused(code)
        connection._schedule_ping()
        return connection

    def _send_connect(self, client_id, username, password, keepalive, will, clean):
        flags = 0x02 if clean else 0
        payload = _string(client_id)
        if will is not None:
            flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
            payload += _string(will.topic) + _string(will.payload)
        if username is not None:
            flags |= 0x80
            payload += _string(username)
            if password is not None:
                flags |= 0x40
                payload += _string(password)
        header = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
        self._write(_packet(CONNECT, 0, header + payload))

    def disconnect(self) -> None:
        """Close cleanly: the broker does not publish the last will."""
        if self.transport is not None and not self.closed:
            self._write(_packet(DISCONNECT, 0, b""))
            self.transport.close()

    def freeze(self) -> None:
        """Go silent without closing (a cable pulled out): the broker finds out by keepalive."""
        self.frozen = True
        if self.transport is not None:
            self.transport.pause_reading()

    def abort(self) -> None:
        """Drop the connection without DISCONNECT (as a power cut would)."""
        if self.transport is not None:
            self.transport.abort()

    @property
    def is_open(self) -> bool:
        return not self.closed and self.connack.done()

    # Sending ------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.outbox is not None:
            self.outbox.append(data)
        elif self.transport is not None and not self.closed and not self.frozen:
            self.transport.write(data)

    def _packet_id(self) -> int:
        self.next_id = self.next_id % 65535 + 1
        return self.next_id

    def publish(
        self, topic: str, payload: bytes, qos: int = 0, retain: bool = False
    ) -> asyncio.Future[bytes] | None:
        """Send a message; for QoS 1 return a future done when the broker has it."""
        if self.closed:
            raise MqttError("connection closed")
        if qos == 0:
            self._write(publish_packet(topic, payload, 0, retain))
            return None
        packet_id = self._packet_id()
        future: asyncio.Future[bytes] = self.loop.create_future()
        self.pending[packet_id] = future
        self._write(publish_packet(topic, payload, 1, retain, packet_id))
        return future

    async def subscribe(self, filters: list[tuple[str, int]]) -> list[int]:
        """Subscribe and return the granted QoS per filter (128: refused)."""
        packet_id = self._packet_id()
        body = struct.pack("!H", packet_id) + b"".join(
            _string(topic) + bytes([qos]) for topic, qos in filters
        )
        future: asyncio.Future[bytes] = self.loop.create_future()
        self.pending[packet_id] = future
        self._write(_packet(SUBSCRIBE, 0x02, body))
        return list(await future)

    async def unsubscribe(self, filters: list[str]) -> None:
        """Unsubscribe from ``filters`` and wait for the broker's answer."""
        packet_id = self._packet_id()
        body = struct.pack("!H", packet_id) + b"".join(_string(t) for t in filters)
        future: asyncio.Future[bytes] = self.loop.create_future()
        self.pending[packet_id] = future
        self._write(_packet(UNSUBSCRIBE, 0x02, body))
        await future

    # Keepalive -----------------------------------------------------------------

    def _schedule_ping(self) -> None:
        if self.keepalive and not self.closed:
            self.ping_handle = self.loop.call_later(self.keepalive, self._ping)

    def _ping(self) -> None:
        if self.closed:
            return
        if self.pong_due:
            logger.debug("no PINGRESP within keepalive; dropping the connection")
            self.abort()
            return
        self.pong_due = True
        self._write(_packet(PINGREQ, 0, b""))
        self._schedule_ping()

    # asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        if self.closed:
            return
        self.closed = True
        if self.ping_handle is not None:
            self.ping_handle.cancel()
        error = MqttError(str(exc) if exc else "connection closed")
        if not self.connack.done():
            self.connack.set_exception(error)
            # Nobody may await it after a timeout; do not warn about it.
            self.connack.exception()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(error)
                future.exception()
        self.pending.clear()
        if self.on_close is not None:
            self.on_close(exc)

    def data_received(self, data: bytes) -> None:
        """Handle every whole packet read; what they make us send goes in one write.

        A device that answers a message at once (its PUBACK, its ack event)
        sends one TCP segment rather than two: with ten thousand devices,
        half the system calls on both sides.
        """
        self.outbox = []
        try:
            self._read(data)
        finally:
            outbox, self.outbox = self.outbox, None
            if outbox:
                self._write(b"".join(outbox))

    def _read(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while True:
            if len(buffer) < 2:
                return
            length, multiplier, index = 0, 1, 1
            while True:
                if index >= len(buffer):
                    return
                byte = buffer[index]
                length += (byte & 0x7F) * multiplier
                multiplier *= 128
                index += 1
                if not byte & 0x80:
                    break
                if index > 4:
                    self._protocol_error("bad remaining length")
                    return
            if length > MAX_PACKET_BYTES:
                self._protocol_error("packet too large")
                return
            end = index + length
            if len(buffer) < end:
                return
            header = buffer[0]
            body = bytes(buffer[index:end])
            del buffer[:end]
            self._handle(header >> 4, header & 0x0F, body)
            if self.closed:
                return

    def _protocol_error(self, reason: str) -> None:
        logger.warning("MQTT protocol error from the broker: %s", reason)
        self.abort()

    def _handle(self, kind: int, flags: int, body: bytes) -> None:
        if kind == PUBLISH:
            qos = (flags >> 1) & 0x03
            (topic_length,) = struct.unpack_from("!H", body)
            topic = body[2 : 2 + topic_length].decode(errors="replace")
            offset = 2 + topic_length
            packet_id = 0
            if qos:
                (packet_id,) = struct.unpack_from("!H", body, offset)
                offset += 2
            try:
                self.on_message(topic, body[offset:], bool(flags & 0x01))
            finally:
                if qos:
                    self._write(_packet(PUBACK, 0, struct.pack("!H", packet_id)))
        elif kind in (PUBACK, SUBACK, UNSUBACK):
            (packet_id,) = struct.unpack_from("!H", body)
            future = self.pending.pop(packet_id, None)
            if future is not None and not future.done():
                future.set_result(body[2:])
        elif kind == PINGRESP:
            self.pong_due = False
        elif kind == CONNACK:
            if not self.connack.done():
                self.connack.set_result(body[1] if len(body) > 1 else 0)
        else:
            logger.debug("ignoring MQTT packet type %s", kind)


async def wait_closed(connection: Connection, timeout: float = 5.0) -> None:
    """Wait until ``connection`` has closed (used by tests and shutdown)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not connection.closed and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    with contextlib.suppress(Exception):
        connection.abort()
