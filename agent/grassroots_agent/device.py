"""One loudspeaker cluster's side of the protocol: the agent and each simulated device.

A :class:`Device` keeps its broker connection up (reconnecting with growing,
jittered delays), reports its state on connect, on change and every heartbeat,
obeys commands once each, holds the newest schedule and plays it with no
network, and keeps every event until the server's receipt names it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import inbound, protocol
from .cache import SimulatedFailure
from .inbound import Refusals
from .mqtt import Connection, ConnectRefused, MqttError, Will
from .playout import Playout
from .protocol import Topics, now_iso, parse_time
from .signing import INVALID, MISADDRESSED, STALE, Keyring, Refused

logger = logging.getLogger(__name__)

#: Commands without an expiry are refused this long after they were issued.
DEFAULT_COMMAND_TTL_S = 300.0
#: A command sealed longer ago than this is refused as stale, whatever it says.
MAX_COMMAND_AGE_S = 3600.0
#: Command ids remembered so that a replayed command is not run twice.
SEEN_COMMANDS = 512
EVENTS_PER_BATCH = 50
MAX_BATCHES_IN_FLIGHT = 4
#: First wait for a receipt before sending a batch again; doubles up to the max.
RECEIPT_TIMEOUT_S = 10.0
RECEIPT_TIMEOUT_MAX_S = 300.0
RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 60.0
#: After refused credentials, wait this long: retrying faster helps nobody.
REFUSED_RETRY_S = 120.0
FIRMWARE = "grassroots-agent 0.1.0"


@dataclass
class DeviceConfig:
    device_id: str
    secret: str
    host: str = "127.0.0.1"
    port: int = 1883
    tls: Any = None
    root: str = protocol.DEFAULT_ROOT
    areas: list[str] = field(default_factory=list)
    heartbeat_s: float = 30.0
    keepalive_s: int = 60
    firmware: str = FIRMWARE
    link: str = "unknown"
    #: Check inbound messages against the JSON Schemas (off only in benchmarks).
    validate: bool = True
    reconnect_max_s: float = RECONNECT_MAX_S
    #: The server's public keys from the provisioning file (base64, 32 bytes each).
    server_keys: list[str] = field(default_factory=list)


class Device:
    """The device logic, independent of how it plays, stores and meets the network."""

    def __init__(
        self,
        config: DeviceConfig,
        *,
        player: Any,
        cache: Any,
        events: Any,
        state: Any,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ):
        self.config = config
        self.id = config.device_id
        self.topics = Topics(config.root)
        self.player = player
        self.cache = cache
        self.events = events
        self.store = state
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - reconnection jitter, not security
        self.loop = asyncio.get_running_loop()
        self.connection: Connection | None = None
        self.boot = uuid.uuid4().hex[:16]
        self.booted = clock()
        self.conn = 0
        self.seq = 0
        self.running = False
        self.plugged = asyncio.Event()
        self.plugged.set()
        self._runner: asyncio.Task | None = None
        self._closed: asyncio.Future | None = None
        self._heartbeat: asyncio.TimerHandle | None = None
        self._flush_handle: asyncio.Handle | None = None
        self._state_handle: asyncio.Handle | None = None
        #: Batches sent and not yet confirmed: batch id → (event ids, resend timer).
        self._inflight: dict[str, tuple[list[str], asyncio.TimerHandle]] = {}
        self._sent: set[str] = set()
        self._receipt_wait = RECEIPT_TIMEOUT_S
        self._downloads: dict[str, asyncio.Future] = {}
        self._clock_offset_ms: float | None = None
        #: The active lists of each emergency topic, as last received.
        self.emergency_topics: dict[str, list[dict[str, Any]]] = {}
        data = state.data
        self.volume: int = data.get("volume", 70)
        self.power: str = data.get("power", "on")
        self.schedule: dict[str, Any] | None = data.get("schedule")
        self.areas: list[str] = data.get("areas") or list(config.areas)
        self.subscribed = set(self.topics.device_inbound(self.id, self.areas))
        #: The rev of the last list held per emergency topic, kept across
        #: reboots: an older list replayed later is refused.
        self.emergency_revs: dict[str, int] = data.get("emergency_revs", {})
        self.config_rev: int = data.get("config_rev", 0)
        # Keys from a signed configuration, unless the provisioning file
        # changed since (the device was provisioned again): then the file's.
        provisioned = list(config.server_keys)
        held = data.get("server_keys")
        use = held if held and data.get("provisioned_keys") == provisioned else None
        self.keyring = Keyring(use or provisioned)
        self.refusals = Refusals(self)
        self.heartbeat_s: float = data.get("heartbeat_s", config.heartbeat_s)
        self.seen: OrderedDict[str, None] = OrderedDict.fromkeys(data.get("seen", []))
        self.played: OrderedDict[str, None] = OrderedDict.fromkeys(
            data.get("played", [])
        )
        self.emergency_progress: dict[str, int] = data.get("emergency_progress", {})
        self.playout = Playout(self)
        #: Hooks the simulator and tests use to watch or perturb a device.
        self.delay: Callable[[], float] | None = None
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        self.extra_state: Callable[[], dict[str, Any]] | None = None
        #: Changes within this many seconds make one state message.
        self.change_delay_s = 0.2
        #: What "reboot" does: a new boot in place (simulator), or exit (agent).
        self.on_reboot: Callable[[], None] = self.reboot

    # Life cycle ----------------------------------------------------------------

    def start(self) -> None:
        """Start playing the held schedule and connecting; returns at once."""
        self.running = True
        if self.schedule:
            self.playout.load_schedule(self.schedule)
        self._runner = self.loop.create_task(self._run())

    async def stop(self, graceful: bool = True) -> None:
        """Stop; a graceful stop tells the server first, so no alert is raised."""
        self.running = False
        connection = self.connection
        if connection is not None and connection.is_open:
            if graceful:
                future = self._publish_state("shutdown", online=False)
                if future is not None:
                    try:
                        await asyncio.wait_for(future, 2)
                    except (TimeoutError, MqttError):
                        pass
                connection.disconnect()
            else:
                connection.abort()
        if self._runner is not None:
            self._runner.cancel()
        self._cancel_timers()
        self.refusals.close()
        self.playout.close()

    def unplug(self, silent: bool = False) -> None:
        """Cut the network (cable out, 4G gone): the device goes on playing offline.

        ``silent`` leaves the connection hanging with nothing flowing, as a
        pulled cable does: the broker notices only when the keepalive runs
        out; otherwise the connection is reset at once.
        """
        self.plugged.clear()
        if self.connection is not None:
            if silent:
                self.connection.freeze()
            else:
                self.connection.abort()

    def plug(self) -> None:
        self.plugged.set()

    def reboot(self) -> None:
        """Restart as a real device would: a new boot, the same storage."""
        self.boot = uuid.uuid4().hex[:16]
        self.booted = self.clock()
        self.conn = 0
        if self.connection is not None:
            self.connection.abort()

    async def _run(self) -> None:
        wait = RECONNECT_MIN_S
        while self.running:
            await self.plugged.wait()
            try:
                await self._connect()
            except ConnectRefused as exc:
                logger.warning("%s: broker refused the connection: %s", self.id, exc)
                wait = REFUSED_RETRY_S if exc.bad_credentials else wait
            except MqttError as exc:
                logger.debug("%s: cannot connect: %s", self.id, exc)
            else:
                wait = RECONNECT_MIN_S
                assert self._closed is not None  # noqa: S101 - set by _connect
                await self._closed
            if not self.running:
                return
            # Jitter spreads the reconnections of a whole fleet after a broker restart.
            await asyncio.sleep(wait * self.rng.uniform(0.5, 1.5))
            wait = min(wait * 2, self.config.reconnect_max_s)

    async def _connect(self) -> None:
        self.conn += 1
        self.seq = 0
        will = Will(
            self.topics.state(self.id),
            protocol.encode(self._state(online=False, reason="will", will=True)),
            qos=1,
            retain=True,
        )
        self._closed = self.loop.create_future()
        closed = self._closed
        connection = await Connection.open(
            self.config.host,
            self.config.port,
            client_id=self.id,
            username=self.id,
            password=self.config.secret,
            keepalive=self.config.keepalive_s,
            will=will,
            on_message=self._on_message,
            on_close=lambda exc: self._on_close(closed),
            tls=self.config.tls,
        )
        self.connection = connection
        topics = self.topics.device_inbound(self.id, self.areas)
        granted = await connection.subscribe([(t, 1) for t in topics])
        refused = [t for t, g in zip(topics, granted, strict=False) if g == 0x80]
        if refused:
            logger.warning("%s: subscriptions refused: %s", self.id, ", ".join(refused))
        self._publish_state("connected")
        self._schedule_heartbeat()
        self._receipt_wait = RECEIPT_TIMEOUT_S
        self._forget_inflight()
        self._flush()
        self._ensure_audio()

    def _on_close(self, closed: asyncio.Future) -> None:
        self.connection = None
        self._forget_inflight()
        self._cancel_timers()
        if not closed.done():
            closed.set_result(None)

    def _cancel_timers(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._heartbeat = None

    @property
    def online(self) -> bool:
        return self.connection is not None and self.connection.is_open

    # Publishing ------------------------------------------------------------------

    def _publish(self, topic: str, message: dict[str, Any], retain: bool = False):
        connection = self.connection
        if connection is None or not connection.is_open:
            return None
        payload = protocol.encode(message)
        delay = self.delay() if self.delay is not None else 0.0
        if delay > 0:
            future = self.loop.create_future()

            def settle(sent: asyncio.Future) -> None:
                if future.done():
                    return
                error = sent.exception()
                if error is not None:
                    future.set_exception(error)
                    future.exception()  # nobody may wait for it: not an error
                else:
                    future.set_result(None)

            def send() -> None:
                if connection.is_open:
                    try:
                        sent = connection.publish(topic, payload, 1, retain)
                    except MqttError:
                        sent = None
                    if sent is not None:
                        sent.add_done_callback(settle)
                elif not future.done():
                    future.set_exception(MqttError("connection closed"))
                    future.exception()

            self.loop.call_later(delay, send)
            return future
        try:
            return connection.publish(topic, payload, 1, retain)
        except MqttError:
            return None

    def _state(
        self, *, online: bool, reason: str, will: bool = False
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "v": protocol.VERSION,
            "type": "state",
            "device": self.id,
            "boot": self.boot,
            "conn": self.conn,
            "ts": now_iso(self.clock()),
            "online": online,
            "reason": reason,
        }
        if will:
            message["will"] = True
            return message
        self.seq += 1
        message["seq"] = self.seq
        amplifier = "ok" if self.power == "on" else "off"
        message.update(
            playing=self.playout.playing(),
            volume=self.volume,
            power=self.power,
            amplifier=amplifier,
            firmware=self.config.firmware[:60],
            storage_free_mb=self.cache.free_mb(),
            clock_offset_ms=self._clock_offset_ms,
            schedule_version=(self.schedule or {}).get("version"),
            schedule_ready=all(
                self.cache.has(a["sha256"]) for a in self.playout.needed_audio()
            ),
            emergencies=sorted(self.playout.emergencies)[:20],
            buffered_events=len(self.events),
            uptime_s=round(max(0.0, self.clock() - self.booted), 1),
            signal={"link": self.config.link},
        )
        if self.extra_state is not None:
            message.update(self.extra_state())
        return message

    def _publish_state(self, reason: str, online: bool = True):
        return self._publish(
            self.topics.state(self.id),
            self._state(online=online, reason=reason),
            retain=True,
        )

    def state_changed(self) -> None:
        """Report a change soon; several changes in a burst make one message."""
        if self._state_handle is None and self.online:
            self._state_handle = self.loop.call_later(
                self.change_delay_s, self._send_change
            )

    def _send_change(self) -> None:
        self._state_handle = None
        self._publish_state("change")

    def _schedule_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        period = self.heartbeat_s * self.rng.uniform(0.9, 1.1)
        self._heartbeat = self.loop.call_later(period, self._beat)

    def _beat(self) -> None:
        self._heartbeat = None
        if self.online:
            self._publish_state("heartbeat")
            self._schedule_heartbeat()

    # Events ------------------------------------------------------------------------

    def emit(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Record an event; it is sent, and sent again, until the server has it."""
        event = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "at": now_iso(self.clock()),
            **fields,
        }
        self.events.add(event)
        if self.on_event is not None:
            self.on_event(event)
        if self._flush_handle is None:
            # A short wait lets the events of one moment travel together.
            self._flush_handle = self.loop.call_later(0.02, self._flush)
        return event

    def send_now(self, events: list[dict[str, Any]]) -> None:
        """Send ``events`` at once, even past the batches in flight (emergency acks).

        The console counts emergency acks live: they must not wait for the
        20 ms batching, nor behind unconfirmed batches of older events.
        """
        events = [e for e in events if e["id"] not in self._sent]
        if events and self.online:
            self._send_batch(events)

    def _flush(self) -> None:
        """Send the events not yet in flight, a few batches at a time."""
        self._flush_handle = None
        if not self.online:
            return
        while len(self._inflight) < MAX_BATCHES_IN_FLIGHT:
            sent = self._sent
            batch = [
                e
                for e in self.events.pending(len(sent) + EVENTS_PER_BATCH)
                if e["id"] not in sent
            ][:EVENTS_PER_BATCH]
            if not batch:
                return
            self._send_batch(batch)

    def _send_batch(self, batch: list[dict[str, Any]]) -> None:
        batch_id = uuid.uuid4().hex
        ids = [e["id"] for e in batch]
        self._sent.update(ids)
        message = {
            "v": protocol.VERSION,
            "type": "events",
            "device": self.id,
            "boot": self.boot,
            "batch": batch_id,
            "sent_at": now_iso(self.clock()),
            "events": batch,
        }
        self._publish(self.topics.events(self.id), message)
        timer = self.loop.call_later(self._receipt_wait, self._no_receipt, batch_id)
        self._inflight[batch_id] = (ids, timer)

    def _no_receipt(self, batch_id: str) -> None:
        entry = self._inflight.pop(batch_id, None)
        if entry is not None:
            self._sent.difference_update(entry[0])
            self._receipt_wait = min(self._receipt_wait * 2, RECEIPT_TIMEOUT_MAX_S)
            self._flush()

    def _on_receipt(self, message: dict[str, Any]) -> None:
        self.events.remove(message["events"])
        self._sent.difference_update(message["events"])
        entry = self._inflight.pop(message["batch"], None)
        if entry is not None:
            entry[1].cancel()
            self._receipt_wait = RECEIPT_TIMEOUT_S
            self._flush()

    def _forget_inflight(self) -> None:
        for _ids, timer in self._inflight.values():
            timer.cancel()
        self._inflight.clear()
        self._sent.clear()

    def ack(
        self, ref: str, ref_type: str, status: str = "ok", **extra: Any
    ) -> dict[str, Any]:
        return self.emit("ack", ref=ref, ref_type=ref_type, status=status, **extra)

    # Receiving -------------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes, retained: bool) -> None:
        delay = self.delay() if self.delay is not None else 0.0
        if delay > 0:
            self.loop.call_later(delay, self.handle, topic, payload)
        else:
            self.handle(topic, payload)

    def handle(self, topic: str, payload: bytes) -> None:
        """Act on one message from the broker; anything not the server's is refused.

        Nothing the broker delivers can crash the device: a message that is
        not sealed by the server for this very topic, not valid, not for
        this device or its areas, or older than what it holds, is refused
        and reported (``message_refused`` alarm), and nothing else happens.
        """
        if topic not in self.subscribed:
            self.refuse(MISADDRESSED, topic, "a topic this device did not subscribe to")
            return
        if not payload:
            return  # a retained message cleared: nothing to act on
        scope, name, leaf = self.topics.parse(topic) or ("", "", "")
        try:
            message, iat = inbound.open_message(
                self.keyring, topic, leaf, payload, validate=self.config.validate
            )
            inbound.check_addressee(message, self.id, scope, name)
        except Refused as exc:
            self.refuse(exc.reason, topic, exc.detail)
            return
        kind = message["type"]
        if kind == "command":
            self._on_command(topic, message, iat)
        elif kind == "receipt":
            if scope != "dev":
                self.refuse(MISADDRESSED, topic, "a receipt on an area topic")
            else:
                self._on_receipt(message)
        elif kind == "schedule":
            self._on_schedule(topic, message)
        elif kind == "emergency":
            self._on_emergency(topic, message)
        elif kind == "config":
            self._on_config(topic, message)

    def refuse(self, reason: str, topic: str, detail: str = "") -> None:
        """Drop a message and report it (at most one alarm a minute per reason)."""
        if self.refusals.total.get(reason, 0) % 100 == 0:
            logger.warning(
                "%s: refused a message on %s (%s): %s [%d so far]",
                self.id,
                topic[:200],
                reason,
                detail[:200],
                self.refusals.total.get(reason, 0) + 1,
            )
        self.refusals.add(reason, topic, detail)

    def _server_time(self, stamp: str) -> None:
        """Estimate the clock offset from the smallest observed transit time."""
        try:
            sample = (self.clock() - parse_time(stamp)) * 1000
        except ValueError:
            return
        if self._clock_offset_ms is None or abs(sample) < abs(self._clock_offset_ms):
            self._clock_offset_ms = round(sample, 1)

    def _on_command(self, topic: str, message: dict[str, Any], iat: int) -> None:
        command_id = message["id"]
        age_s = self.clock() - iat / 1000
        if age_s > MAX_COMMAND_AGE_S:
            self.refuse(STALE, topic, f"command {command_id} sealed {age_s:.0f} s ago")
            return
        if command_id in self.seen:
            self.ack(command_id, "command", "duplicate")
            return
        self.seen[command_id] = None
        while len(self.seen) > SEEN_COMMANDS:
            self.seen.popitem(last=False)
        self._server_time(message["issued_at"])
        now = self.clock()
        try:
            expires = (
                parse_time(message["expires_at"])
                if "expires_at" in message
                else parse_time(message["issued_at"]) + DEFAULT_COMMAND_TTL_S
            )
        except ValueError:
            expires = 0.0
        if now > expires:
            self.ack(command_id, "command", "expired")
            return
        action = message["action"]
        args = message.get("args") or {}
        status, detail = "ok", ""
        if action == "play_now":
            self.playout.play_now(args["item"], by=command_id)
            self._ensure_audio(
                [args["item"]["audio"]] if args["item"].get("audio") else []
            )
        elif action == "stop":
            if not self.playout.stop(command_id, args.get("item")):
                detail = "nothing to stop"
        elif action == "volume":
            self.volume = int(args["level"])
        elif action == "power":
            self.set_power(bool(args["on"]), reason="command")
        elif action == "sync":
            self._ensure_audio()
            self._publish_state("change")
        elif action == "reboot":
            self.ack(command_id, "command", "ok")
            self.save_state()
            self.loop.call_later(1.0, self.on_reboot)
            return
        self.ack(
            command_id, "command", status, **({"detail": detail} if detail else {})
        )
        self.save_state()
        self.state_changed()

    def set_power(self, on: bool, reason: str = "") -> None:
        self.power = "on" if on else "off"
        self.playout.power_changed(on)
        self.save_state()
        self.state_changed()

    def _on_schedule(self, topic: str, message: dict[str, Any]) -> None:
        version = message["version"]
        ref = str(version)
        held = (self.schedule or {}).get("version", 0)
        if version == held:
            return  # the retained copy again, after a reconnection
        if version < held:
            self.ack(
                ref,
                "schedule",
                "rejected",
                version=version,
                detail=f"older than the held version {held}",
            )
            self.refuse(STALE, topic, f"schedule {version}, holding {held}")
            return
        try:
            ended = parse_time(message["valid_until"]) < self.clock()
        except ValueError:
            ended = True
        if ended:
            self.refuse(STALE, topic, f"schedule {version} ended")
            return
        self.schedule = message
        self.save_state()
        self.playout.load_schedule(message)
        self.ack(ref, "schedule", "ok", version=version)
        self._ensure_audio()
        self.state_changed()

    def _on_emergency(self, topic: str, message: dict[str, Any]) -> None:
        rev = message["rev"]
        held = self.emergency_revs.get(topic, -1)
        if rev < held:
            self.refuse(STALE, topic, f"emergency list {rev}, holding {held}")
            return
        self.emergency_topics[topic] = message["active"]
        if rev != held:
            self.emergency_revs[topic] = rev
            self.save_state()
        self._apply_emergencies()

    def _apply_emergencies(self) -> None:
        """Play the union of the lists held (the newest rev of each emergency)."""
        active: dict[str, tuple[int, dict[str, Any], float]] = {}
        for items in self.emergency_topics.values():
            for item in items:
                try:
                    expires = (
                        parse_time(item["expires_at"])
                        if "expires_at" in item
                        else math.inf
                    )
                except ValueError:
                    expires = math.inf
                held = active.get(item["id"])
                if held is None or held[0] < item["rev"]:
                    active[item["id"]] = (item["rev"], item, expires)
        acks = [
            self.ack(emergency_id, "emergency", "ok", version=item_rev)
            for emergency_id, item_rev in self.playout.set_emergencies(active)
        ]
        self.send_now(acks)
        self._ensure_audio()
        self.state_changed()

    def _on_config(self, topic: str, message: dict[str, Any]) -> None:
        rev = message["rev"]
        if rev == self.config_rev:
            return  # the retained copy again
        if rev < self.config_rev:
            self.refuse(STALE, topic, f"configuration {rev}, holding {self.config_rev}")
            return
        try:
            keyring = Keyring(message["server_keys"])
        except ValueError as exc:
            self.refuse(INVALID, topic, str(exc))
            return
        self.keyring = keyring
        self.config_rev = rev
        areas = list(message["areas"])
        added = [a for a in areas if a not in self.areas]
        removed = [a for a in self.areas if a not in areas]
        self.areas = areas
        self.subscribed = set(self.topics.device_inbound(self.id, areas))
        self.heartbeat_s = float(message.get("heartbeat_s", self.heartbeat_s))
        gone = [t for t in self.emergency_topics if t not in self.subscribed]
        for stale_topic in gone:
            del self.emergency_topics[stale_topic]
        self.emergency_revs = {
            t: r for t, r in self.emergency_revs.items() if t in self.subscribed
        }
        self.save_state()
        self.ack(str(rev), "config", "ok", version=rev)
        if self.connection is not None and self.connection.is_open:
            if added:
                topics = [(self.topics.area_command(a), 1) for a in added] + [
                    (self.topics.area_emergency(a), 1) for a in added
                ]
                self.loop.create_task(self._subscribe(topics))
            if removed:
                self.loop.create_task(
                    self._unsubscribe(
                        [self.topics.area_command(a) for a in removed]
                        + [self.topics.area_emergency(a) for a in removed]
                    )
                )
        if gone:
            self._apply_emergencies()
        self._schedule_heartbeat()

    async def _subscribe(self, topics: list[tuple[str, int]]) -> None:
        if self.connection is not None:
            try:
                await self.connection.subscribe(topics)
            except MqttError:
                pass

    async def _unsubscribe(self, topics: list[str]) -> None:
        if self.connection is not None:
            try:
                await self.connection.unsubscribe(topics)
            except MqttError:
                pass

    # Audio ---------------------------------------------------------------------------

    def _ensure_audio(self, extra: list[dict[str, Any]] | None = None) -> None:
        for audio in [*(extra or []), *self.playout.needed_audio()]:
            sha = audio["sha256"]
            if not self.cache.has(sha) and sha not in self._downloads:
                self._downloads[sha] = self.loop.create_task(self._download(audio))

    async def _download(self, audio: dict[str, Any]) -> bool:
        sha = audio["sha256"]
        try:
            keep = {a["sha256"] for a in self.playout.needed_audio()}
            await self.cache.fetch(audio["url"], sha, keep)
        except (OSError, ValueError) as exc:
            level = (
                logging.DEBUG if isinstance(exc, SimulatedFailure) else logging.WARNING
            )
            logger.log(level, "%s: cannot fetch %s: %s", self.id, audio["url"], exc)
            self.emit(
                "alarm",
                code="download_failed",
                severity="warning",
                detail=f"{audio['url']}: {exc}"[:500],
            )
            return False
        finally:
            self._downloads.pop(sha, None)
        self.state_changed()
        return True

    async def fetch_audio(self, audio: dict[str, Any]) -> bool:
        """Return True once the audio is in the cache (waiting for a running download)."""
        if self.cache.has(audio["sha256"]):
            return True
        task = self._downloads.get(audio["sha256"])
        if task is None:
            task = self._downloads[audio["sha256"]] = self.loop.create_task(
                self._download(audio)
            )
        return await asyncio.shield(task)

    # Memory --------------------------------------------------------------------------

    def save_state(self) -> None:
        data = self.store.data
        data.update(
            volume=self.volume,
            power=self.power,
            schedule=self.schedule,
            areas=self.areas,
            heartbeat_s=self.heartbeat_s,
            seen=list(self.seen),
            played=list(self.played),
            emergency_progress=self.emergency_progress,
            emergency_revs=self.emergency_revs,
            config_rev=self.config_rev,
            server_keys=self.keyring.texts,
            provisioned_keys=list(self.config.server_keys),
        )
        self.store.save()
