"""Protocol version 2 between the server and the loudspeaker clusters (docs/protocol.md).

One module both sides import: topic names, message validation against the
JSON Schema files in ``schemas/``, and helpers to build messages. The server
(``grassroots.loudspeakers``) imports it from this package so that the two can
never disagree on the wire format. Every server → device message is sealed
(signed) by :mod:`grassroots_agent.signing`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

VERSION = 2
DEFAULT_ROOT = "gr"
#: Largest message either side accepts; a schedule for 48 hours fits easily.
MAX_MESSAGE_BYTES = 256 * 1024
#: Largest message a device may send (state and events are small).
MAX_DEVICE_MESSAGE_BYTES = 64 * 1024

SCHEMA_BASE = "https://grassroots.invalid/protocol/v2/"
#: Message kinds, each with its schema file.
KINDS = ("state", "events", "command", "receipt", "schedule", "emergency", "config")
#: Schemas that are not messages: the seal line (signing.py) and shared definitions.
PARTS = ("seal", "common")
#: How a playable ranks on the device: a higher rank pre-empts a lower one.
PRIORITY_RANK = {"normal": 1, "priority": 2, "emergency": 4}
#: An emergency item marked ``"drill": true`` (a test of the warning system)
#: ranks between priority and a real emergency: it cuts programmes like an
#: emergency, and a real emergency cuts it.
DRILL_RANK = 3


class ProtocolError(ValueError):
    """A message that is not valid protocol: too big, not JSON, or against its schema."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# Topics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Topics:
    """Topic names under a root (``gr`` unless configured, e.g. per test)."""

    root: str = DEFAULT_ROOT

    @property
    def base(self) -> str:
        return f"{self.root}/v{VERSION}"

    # Device topics: device → server
    def state(self, device: str) -> str:
        return f"{self.base}/dev/{device}/state"

    def events(self, device: str) -> str:
        return f"{self.base}/dev/{device}/evt"

    # Device topics: server → device
    def command(self, device: str) -> str:
        return f"{self.base}/dev/{device}/cmd"

    def schedule(self, device: str) -> str:
        return f"{self.base}/dev/{device}/schedule"

    def config(self, device: str) -> str:
        return f"{self.base}/dev/{device}/config"

    def device_emergency(self, device: str) -> str:
        return f"{self.base}/dev/{device}/emergency"

    # Area topics: server → every device in the area, through the broker
    def area_command(self, area_path: str) -> str:
        return f"{self.base}/area/{area_path.strip('/')}/cmd"

    def area_emergency(self, area_path: str) -> str:
        return f"{self.base}/area/{area_path.strip('/')}/emergency"

    def device_inbound(self, device: str, areas: list[str]) -> list[str]:
        """Return every topic a device subscribes to."""
        topics = [
            self.command(device),
            self.schedule(device),
            self.config(device),
            self.device_emergency(device),
        ]
        for area in areas:
            topics += [self.area_command(area), self.area_emergency(area)]
        return topics

    def device_outbound(self, device: str) -> list[str]:
        """Return every topic a device publishes on."""
        return [self.state(device), self.events(device)]

    def parse(self, topic: str) -> tuple[str, str, str] | None:
        """Return ``("dev", device, leaf)`` or ``("area", path, leaf)`` for a topic of ours."""
        prefix = self.base + "/"
        if not topic.startswith(prefix):
            return None
        rest = topic[len(prefix) :].split("/")
        if len(rest) == 3 and rest[0] == "dev":
            return "dev", rest[1], rest[2]
        if len(rest) >= 3 and rest[0] == "area":
            return "area", "/".join(rest[1:-1]), rest[-1]
        return None


def area_chain(path: str) -> list[str]:
    """Return an area path and every path above it, widest first: 82, 82/28261, ..."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# Time and ids ----------------------------------------------------------------


def now_iso(ts: float | None = None) -> str:
    """Return an RFC 3339 UTC timestamp with milliseconds."""
    moment = (
        datetime.now(UTC) if ts is None else datetime.fromtimestamp(ts, UTC)
    ).isoformat(timespec="milliseconds")
    return moment.replace("+00:00", "Z")


def parse_time(text: str) -> float:
    """Return the epoch seconds of an RFC 3339 timestamp."""
    return datetime.fromisoformat(text).timestamp()


def new_id() -> str:
    return str(uuid.uuid4())


# Validation ------------------------------------------------------------------


def schema_text(kind: str) -> str:
    """Return the JSON Schema file of a message kind (or ``common``)."""
    return resources.files(__package__).joinpath(f"schemas/{kind}.json").read_text()


def schema(kind: str) -> dict[str, Any]:
    return json.loads(schema_text(kind))


def _load_ref(uri: str) -> dict[str, Any]:
    if not uri.startswith(SCHEMA_BASE):
        raise ProtocolError("schema", f"unknown reference {uri}")
    name = uri[len(SCHEMA_BASE) :].split("#")[0].removesuffix(".json")
    if name not in (*KINDS, *PARTS):
        raise ProtocolError("schema", f"unknown reference {uri}")
    return schema(name)


@cache
def validator(kind: str) -> Callable[[Any], Any]:
    """Return a compiled validator for a message kind (compiled once per process)."""
    import fastjsonschema

    if kind not in (*KINDS, "seal"):
        raise ProtocolError("unknown_kind", kind)
    return fastjsonschema.compile(
        schema(kind), handlers={"https": _load_ref}, use_default=False
    )


def validate(kind: str, message: Any) -> dict[str, Any]:
    """Return ``message`` if it is a valid ``kind`` message, else raise ProtocolError."""
    import fastjsonschema

    try:
        validator(kind)(message)
    except fastjsonschema.JsonSchemaException as exc:
        raise ProtocolError("schema", str(exc)[:300]) from None
    return message


def decode(
    kind: str | None,
    payload: bytes,
    *,
    max_bytes: int = MAX_MESSAGE_BYTES,
    check: bool = True,
) -> dict[str, Any]:
    """Return the message in ``payload``, checked for size, JSON and schema.

    With ``kind`` None the message's own ``type`` field chooses the schema.
    """
    if len(payload) > max_bytes:
        raise ProtocolError("oversized", f"{len(payload)} bytes")
    try:
        message = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError("malformed", str(exc)[:200]) from None
    if not isinstance(message, dict):
        raise ProtocolError("malformed", "not a JSON object")
    if kind is None:
        kind = message.get("type")
        if kind not in KINDS:
            raise ProtocolError("schema", f"unknown message type {kind!r}")
    elif message.get("type") != kind:
        raise ProtocolError("schema", f"expected type {kind!r}")
    if check:
        validate(kind, message)
    return message


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


# Builders (server side) -------------------------------------------------------


def command(
    action: str,
    args: dict[str, Any] | None = None,
    *,
    command_id: str | None = None,
    issued_at: float | None = None,
    ttl_s: float = 300,
    by: str = "",
) -> dict[str, Any]:
    """Return a command message; it expires ``ttl_s`` after it is issued."""
    issued = issued_at if issued_at is not None else datetime.now(UTC).timestamp()
    message: dict[str, Any] = {
        "v": VERSION,
        "type": "command",
        "id": command_id or new_id(),
        "action": action,
        "issued_at": now_iso(issued),
        "expires_at": now_iso(issued + ttl_s),
    }
    if args:
        message["args"] = args
    if by:
        message["by"] = by[:150]
    return message


def receipt(batch: str, event_ids: list[str]) -> dict[str, Any]:
    return {
        "v": VERSION,
        "type": "receipt",
        "batch": batch,
        "events": event_ids,
        "at": now_iso(),
    }


def schedule(
    device: str,
    version: int,
    items: list[dict[str, Any]],
    *,
    valid_from: float,
    valid_until: float,
) -> dict[str, Any]:
    return {
        "v": VERSION,
        "type": "schedule",
        "device": device,
        "version": version,
        "generated_at": now_iso(),
        "valid_from": now_iso(valid_from),
        "valid_until": now_iso(valid_until),
        "items": items,
    }


def emergencies(
    rev: int,
    active: list[dict[str, Any]],
    *,
    area: str | None = None,
    device: str | None = None,
) -> dict[str, Any]:
    """Return the whole list of active emergencies of one area's or one device's topic.

    The list names its target (``area`` or ``device``): a device acts on it
    only if that is one of its own areas, or itself.
    """
    if (area is None) == (device is None):
        raise ValueError("give the area or the device the list is for")
    message: dict[str, Any] = {
        "v": VERSION,
        "type": "emergency",
        "rev": rev,
        "at": now_iso(),
        "active": active,
    }
    if area is not None:
        message["area"] = area.strip("/")
    else:
        message["device"] = device
    return message


def config(
    device: str,
    areas: list[str],
    *,
    rev: int,
    server_keys: list[str],
    heartbeat_s: int = 30,
    time_zone: str = "Asia/Ho_Chi_Minh",
    state: str = "active",
) -> dict[str, Any]:
    return {
        "v": VERSION,
        "type": "config",
        "device": device,
        "rev": rev,
        "areas": areas,
        "server_keys": server_keys,
        "heartbeat_s": heartbeat_s,
        "time_zone": time_zone,
        "state": state,
    }
