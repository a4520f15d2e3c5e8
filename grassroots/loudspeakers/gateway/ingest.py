"""Check every message from devices before anything is written.

A message is dropped, logged and counted when its device sends faster than
any device needs to, or it is oversized, not JSON, against its schema, from a
device we do not know, claims to be another device than its topic says, or
repeats one already seen. Nothing a device sends can crash the gateway: every
failure is one of these reasons. The drops a known device caused are kept per
device (``suspicious``) so the writer raises an alarm on its cluster.

The broker lets any client send up to 257 KiB (one limit for every listener
in Mosquitto 2.0, sized for server → device messages); the 64 KiB of device →
server messages is enforced here, before anything is parsed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from grassroots_agent import protocol
from grassroots_agent.protocol import ProtocolError, Topics

logger = logging.getLogger(__name__)

#: How often a drop reason is logged at most (the counters keep the rest).
LOG_EVERY_S = 10.0
#: Recent order keys / batch ids remembered to spot replays cheaply.
MEMORY = 50_000
#: Reload the known devices this often when unknown ones are heard.
UNKNOWN_RECHECK_S = 5.0
#: Per device: a burst of this many messages, then this many a second. A
#: device sends a state every heartbeat (30 s) and on changes, and a few event
#: batches; catching up after an outage (four batches in flight) stays far below.
RATE_BURST = 60
RATE_PER_S = 1.0
#: After the gateway resumes its session the broker delivers what it kept
#: meanwhile (an hour offline: 120 states a device): not a flood.
BACKLOG_GRACE_S = 120.0
#: Drops that say a device (not the network) misbehaves: worth an alarm.
SUSPICIOUS = frozenset(
    {"rate", "oversized", "malformed", "schema", "unknown_kind", "impersonation"}
)


@dataclass(frozen=True)
class Report:
    kind: str  # "state" or "events"
    cluster_id: int
    device: str
    message: dict[str, Any]
    received: datetime


class Ingest:
    def __init__(
        self,
        topics: Topics,
        lookup: Callable[[], dict[str, int]],
        *,
        max_bytes: int = protocol.MAX_DEVICE_MESSAGE_BYTES,
    ):
        self.topics = topics
        self.lookup = lookup
        self.max_bytes = max_bytes
        self.devices: dict[str, int] = {}
        self.loaded_at = 0.0
        #: Devices heard of but not known at the last reload.
        self.unknown: set[str] = set()
        self.recent_states: OrderedDict[str, tuple[tuple[str, int, int], bool]] = (
            OrderedDict()
        )
        self.recent_batches: OrderedDict[str, None] = OrderedDict()
        self.counts: Counter[str] = Counter()
        self._last_log: dict[str, float] = {}
        #: device → (tokens, last refill) of its rate limit.
        self.buckets: dict[str, tuple[float, float]] = {}
        #: No rate limit until then (monotonic): the broker's backlog arrives.
        self.backlog_until = 0.0
        #: device → drops by reason since the writer last took them.
        self.suspicious: dict[str, Counter[str]] = {}
        self._suspicious_lock = threading.Lock()

    def refresh(self) -> None:
        """Reload the known devices (new clusters, retired ones)."""
        self.devices = self.lookup()
        self.loaded_at = time.monotonic()
        self.unknown = set()

    def drop(
        self, reason: str, topic: str, detail: str = "", device: str | None = None
    ) -> None:
        self.counts[f"dropped_{reason}"] += 1
        if device is not None and reason in SUSPICIOUS and device in self.devices:
            with self._suspicious_lock:
                self.suspicious.setdefault(device, Counter())[reason] += 1
        now = time.monotonic()
        if now - self._last_log.get(reason, 0.0) >= LOG_EVERY_S:
            self._last_log[reason] = now
            logger.warning(
                "dropped a message (%s) on %s: %s [%d dropped for this reason so far]",
                reason,
                topic[:200],
                detail[:300],
                self.counts[f"dropped_{reason}"],
            )

    def _within_rate(self, device: str) -> bool:
        """Take one token from the device's bucket; False when it is empty."""
        now = time.monotonic()
        if now < self.backlog_until:
            return True
        tokens, last = self.buckets.get(device, (float(RATE_BURST), now))
        tokens = min(float(RATE_BURST), tokens + (now - last) * RATE_PER_S)
        if tokens < 1.0:
            self.buckets[device] = (tokens, now)
            return False
        self.buckets[device] = (tokens - 1.0, now)
        return True

    def take_suspicious(self) -> dict[str, Counter[str]]:
        """Return and forget the drops per device (called by the writer thread)."""
        with self._suspicious_lock:
            taken, self.suspicious = self.suspicious, {}
        return taken

    def _cluster(self, device: str) -> int | None:
        cluster_id = self.devices.get(device)
        if cluster_id is None:
            # Perhaps provisioned a moment ago: the writer reloads the list
            # soon (never from this network thread, which must not touch the
            # database). The device reports again; its events wait for a receipt.
            self.unknown.add(device)
        return cluster_id

    def accept(
        self, topic: str, payload: bytes, retained: bool = False
    ) -> Report | None:
        """Return the checked report in a message, or None if it was dropped."""
        self.counts["received"] += 1
        parsed = self.topics.parse(topic)
        if parsed is None or parsed[0] != "dev" or parsed[2] not in ("state", "evt"):
            self.drop("topic", topic)
            return None
        _scope, device, leaf = parsed
        kind = "state" if leaf == "state" else "events"
        if not self._within_rate(device):
            self.drop("rate", topic, "", device)
            return None
        if not payload:
            # A cleared retained state (the device was deleted): nothing to record.
            self.counts["empty"] += 1
            return None
        try:
            message = protocol.decode(kind, payload, max_bytes=self.max_bytes)
        except ProtocolError as exc:
            self.drop(exc.reason, topic, exc.detail, device)
            return None
        if message["device"] != device:
            self.drop(
                "impersonation", topic, f"payload says {message['device']!r}", device
            )
            return None
        cluster_id = self._cluster(device)
        if cluster_id is None:
            self.drop("unknown_device", topic, device)
            return None
        if kind == "state":
            key = (message["boot"], message["conn"], message.get("seq", -1))
            previous = self.recent_states.get(device)
            if previous is not None and previous[0] == key:
                if retained or previous[1]:
                    # The broker's retained copy of a state also received live.
                    self.counts["retained_duplicate"] += 1
                else:
                    self.drop("replayed", topic, f"state {key}")
                return None
            self.recent_states[device] = (key, retained)
            self.recent_states.move_to_end(device)
            if len(self.recent_states) > MEMORY:
                self.recent_states.popitem(last=False)
        else:
            batch = f"{device}/{message['batch']}"
            if batch in self.recent_batches:
                self.drop("replayed", topic, f"batch {message['batch']}")
                return None
            self.recent_batches[batch] = None
            if len(self.recent_batches) > MEMORY:
                self.recent_batches.popitem(last=False)
        self.counts[f"accepted_{kind}"] += 1
        return Report(kind, cluster_id, device, message, timezone.now())
