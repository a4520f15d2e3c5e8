"""What a device checks before it acts on a message from the server.

In order (docs/protocol.md, "What a device refuses"):

1. the topic is one the device subscribed to (its own ``dev/`` topics, and
   ``cmd``/``emergency`` of its own areas) — else **misaddressed**;
2. the payload is sealed for exactly that topic, by a key the device trusts,
   and the signature verifies (:mod:`signing`) — else **unsigned**,
   **misaddressed**, **unknown_key** or **bad_signature**;
3. the message is valid JSON of the protocol, of a kind that travels on that
   topic — else **invalid**;
4. what the message names is this device: ``device`` of a schedule or
   configuration, ``area``/``device`` of an emergency list — else
   **misaddressed**.

Freshness (a command issued too long ago, a list or version older than the
one held) is the device's own check, since it depends on what it holds.

Steps 2 and 3 depend only on the bytes, the topic and the keys, so their
outcome is remembered for the last few payloads: an area's message reaches
thousands of simulated devices in one process, and each would check the
same signature. A real device checks each message it receives once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from . import protocol
from .protocol import ProtocolError
from .signing import INVALID, MISADDRESSED, Keyring, Refused

#: Which message kinds may arrive on which topic leaf.
KINDS_BY_LEAF = {
    "cmd": ("command", "receipt"),
    "schedule": ("schedule",),
    "config": ("config",),
    "emergency": ("emergency",),
}

_Outcome = tuple[dict[str, Any], int] | Refused
_OPENED: OrderedDict[tuple[str, bytes, tuple[str, ...], bool], _Outcome] = OrderedDict()
_OPENED_MAX = 64


def _open(
    keyring: Keyring, topic: str, leaf: str, payload: bytes, validate: bool
) -> _Outcome:
    try:
        opened = keyring.open(topic, payload)
    except Refused as exc:
        return exc
    try:
        message = protocol.decode(None, opened.body, check=validate)
    except ProtocolError as exc:
        return Refused(INVALID, str(exc)[:300])
    if message["type"] not in KINDS_BY_LEAF.get(leaf, ()):
        return Refused(INVALID, f"a {message['type']} on a {leaf} topic")
    return message, opened.iat


def open_message(
    keyring: Keyring, topic: str, leaf: str, payload: bytes, *, validate: bool = True
) -> tuple[dict[str, Any], int]:
    """Return ``(message, issued at in ms)`` of a sealed payload, or raise Refused.

    The message may be shared with other devices of the same process: callers
    only read it.
    """
    key = (topic, payload, keyring.fingerprint, validate)
    outcome = _OPENED.get(key)
    if outcome is None:
        outcome = _open(keyring, topic, leaf, payload, validate)
        _OPENED[key] = outcome
        if len(_OPENED) > _OPENED_MAX:
            _OPENED.popitem(last=False)
    if isinstance(outcome, Refused):
        raise Refused(outcome.reason, outcome.detail)
    return outcome


def check_addressee(
    message: dict[str, Any], device_id: str, scope: str, name: str
) -> None:
    """Raise Refused unless the message names the device (or area) of its topic."""
    kind = message["type"]
    if kind in ("schedule", "config") and message["device"] != device_id:
        raise Refused(MISADDRESSED, f"a {kind} for {message['device']}")
    if kind == "emergency":
        named = message.get("area") if scope == "area" else message.get("device")
        if named != name:
            target = message.get("area") or message.get("device")
            raise Refused(MISADDRESSED, f"an emergency list for {target}")


#: Refusals of one reason raise at most one alarm this often; the alarm
#: counts the ones in between (a flood of forged messages must not fill the
#: device's event store, nor the operator's screen).
ALARM_EVERY_S = 60.0
#: Alarms of these reasons are signs of an attack rather than of a fault.
CRITICAL = ("unsigned", "bad_signature", "misaddressed")


class Refusals:
    """Counts a device's refusals and reports them as ``message_refused`` alarms."""

    __slots__ = ("device", "total", "_last", "_waiting")

    def __init__(self, device: Any):
        self.device = device
        #: Refusals by reason since the device started (tests and benchmarks read it).
        self.total: dict[str, int] = {}
        self._last: dict[str, float] = {}
        #: Reason → [count, topic, detail, timer] of refusals not yet reported.
        self._waiting: dict[str, list[Any]] = {}

    def add(self, reason: str, topic: str, detail: str) -> None:
        self.total[reason] = self.total.get(reason, 0) + 1
        loop = self.device.loop
        now = loop.time()
        waiting = self._waiting.get(reason)
        if waiting is not None:
            waiting[0] += 1
            waiting[1:3] = [topic, detail]
            return
        last = self._last.get(reason)
        if last is None or now - last >= ALARM_EVERY_S:
            self._report(reason, 1, topic, detail)
            return
        timer = loop.call_later(last + ALARM_EVERY_S - now, self._flush, reason)
        self._waiting[reason] = [1, topic, detail, timer]

    def _flush(self, reason: str) -> None:
        count, topic, detail, _timer = self._waiting.pop(reason)
        self._report(reason, count, topic, detail)

    def _report(self, reason: str, count: int, topic: str, detail: str) -> None:
        self._last[reason] = self.device.loop.time()
        self.device.emit(
            "alarm",
            code="message_refused",
            severity="critical" if reason in CRITICAL else "warning",
            reason=reason,
            topic=topic[:256],
            count=count,
            detail=detail[:500],
        )

    def close(self) -> None:
        """Report what waits now (the device stops; its events are kept)."""
        for reason in list(self._waiting):
            self._waiting[reason][3].cancel()
            self._flush(reason)
