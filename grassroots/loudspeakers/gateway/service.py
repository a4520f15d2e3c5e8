"""The gateway process: subscribe to every device's state and events, write in batches.

One paho-mqtt network thread receives and checks messages into a bounded
queue; the main thread takes whatever arrived in the last half second and
writes it in one transaction, then sends receipts for the stored events.
Paho reconnects by itself when the broker restarts; the session is
persistent so the broker keeps messages for a gateway that restarts. Every
time it (re)connects, the gateway puts every retained schedule, configuration
and emergency list back on the broker (``retained.republish_all``): a broker
killed between two saves of its store, or another broker node, may have lost
them. Several gateways share the load with a shared subscription
(``$share/GROUP/…``).
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection

from grassroots.accounts import audit
from grassroots.core import health
from grassroots_agent import protocol
from grassroots_agent.protocol import Topics

from .. import credentials, retained, signing
from ..actions import reports
from ..signals import unsent_due
from .ingest import BACKLOG_GRACE_S, UNKNOWN_RECHECK_S, Ingest, Report
from .pacing import ReceiptPacer

logger = logging.getLogger(__name__)

FLUSH_S = 0.5
#: How long to gather once an emergency acknowledgement waits: the console
#: counts them live, and a province's worth arrives within a second.
URGENT_FLUSH_S = 0.05
MAX_BATCH = 5000
QUEUE_SIZE = 100_000
HOUSEKEEPING_S = 5.0
STATS_S = 60.0
WRITE_RETRIES = 5
RESEND_SCHEDULE_S = 300.0
#: A misbehaving device raises an alarm at once, then one summary this often.
DROP_ALARM_EVERY_S = 600.0
#: Longest wait between two reconnection attempts: a broker back from a
#: restart is seen (and its retained messages put back) within seconds.
RECONNECT_MAX_S = 5


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reconnect_if_needed() -> None:
    """Drop a broken or old database connection (never inside a transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _is_urgent(report: Report) -> bool:
    """Return True for a batch holding an emergency's acknowledgement."""
    return report.kind == "events" and any(
        e.get("kind") == "ack" and e.get("ref_type") == "emergency"
        for e in report.message.get("events", ())
    )


class Gateway:
    def __init__(
        self,
        *,
        url: str | None = None,
        topics: Topics | None = None,
        instance: str = "1",
        share_group: str | None = None,
        heartbeat_s: float | None = None,
        alert_after_s: float | None = None,
        flush_s: float = FLUSH_S,
        persistent: bool = True,
    ):
        self.url = urlparse(url or settings.GRASSROOTS_MQTT_URL)
        self.topics = topics or Topics(settings.GRASSROOTS_MQTT_TOPIC_ROOT)
        self.instance = instance
        self.share_group = (
            settings.GRASSROOTS_GATEWAY_SHARE_GROUP
            if share_group is None
            else share_group
        )
        self.heartbeat_s = heartbeat_s or settings.GRASSROOTS_DEVICE_HEARTBEAT_S
        self.alert_after_s = alert_after_s or settings.GRASSROOTS_DEVICE_OFFLINE_ALERT_S
        self.flush_s = flush_s
        self.persistent = persistent
        self.queue: queue.Queue[Report] = queue.Queue(QUEUE_SIZE)
        self._resent: dict[int, float] = {}
        #: cluster id → when its last drop alarm was raised, and drops since.
        self._alarmed: dict[int, float] = {}
        self._dropped: dict[int, Counter[str]] = {}
        self.ingest = Ingest(self.topics, reports.known_devices)
        self.connected = threading.Event()
        #: Set on every connection: the main thread republishes retained messages.
        self.republish_due = threading.Event()
        self.republished = 0
        self.stop_event = threading.Event()
        self.client: Any = None
        self.pacer = ReceiptPacer()
        #: Called after each written batch (tests wait on it).
        self.on_written: Callable[[reports.Outcome], None] | None = None

    # MQTT ------------------------------------------------------------------------------

    def filters(self) -> list[str]:
        wanted = [self.topics.state("+"), self.topics.events("+")]
        if self.share_group:
            wanted = [f"$share/{self.share_group}/{t}" for t in wanted]
        return wanted

    def _connect(self) -> None:
        import paho.mqtt.client as mqtt

        client_id = f"{credentials.GATEWAY}-{socket.gethostname()}-{self.instance}"[:64]
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=not self.persistent,
        )
        client.username_pw_set(
            self.url.username or credentials.GATEWAY,
            self.url.password or credentials.service_password(credentials.GATEWAY),
        )
        if self.url.scheme in ("mqtts", "ssl"):
            client.tls_set()
        client.reconnect_delay_set(1, RECONNECT_MAX_S)
        client.max_queued_messages_set(QUEUE_SIZE)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.connect_async(
            self.url.hostname or "127.0.0.1",
            self.url.port or (8883 if self.url.scheme in ("mqtts", "ssl") else 1883),
            keepalive=30,
        )
        client.loop_start()
        self.client = client

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("the broker refused the gateway: %s", reason_code)
            return
        if flags.session_present:
            self.ingest.backlog_until = time.monotonic() + BACKLOG_GRACE_S
        client.subscribe([(f, 1) for f in self.filters()])
        logger.info(
            "gateway connected to %s:%s; subscribed to %s",
            self.url.hostname,
            self.url.port,
            ", ".join(self.filters()),
        )
        self.republish_due.set()
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stop_event.is_set():
            logger.warning("gateway lost the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        # Nothing a device sends may kill the network thread: Ingest turns every
        # bad message into a counted drop, and this guard catches our own bugs.
        try:
            report = self.ingest.accept(message.topic, message.payload, message.retain)
        except Exception:  # noqa: BLE001 - see above; logged with its traceback
            logger.exception("unexpected error checking a message on %s", message.topic)
            return
        if report is not None:
            self.queue.put(report)

    # Writing ---------------------------------------------------------------------------

    def _take(self) -> list[Report]:
        items: list[Report] = []
        deadline = time.monotonic() + self.flush_s
        while len(items) < MAX_BATCH:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                item = self.queue.get(timeout=timeout)
            except queue.Empty:
                break
            items.append(item)
            if _is_urgent(item):
                deadline = min(deadline, time.monotonic() + URGENT_FLUSH_S)
        while len(items) < MAX_BATCH:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return items

    def write(self, items: list[Report]) -> reports.Outcome | None:
        states = [
            (r.cluster_id, r.message, r.received) for r in items if r.kind == "state"
        ]
        batches = [
            (r.cluster_id, r.message, r.received) for r in items if r.kind == "events"
        ]
        for attempt in range(1, WRITE_RETRIES + 1):
            try:
                _reconnect_if_needed()
                with audit.acting_as(audit.Origin(source="gateway")):
                    return reports.record_reports(states, batches)
            except OperationalError as exc:
                # The database restarted or is locked: wait and write the same batch again.
                logger.warning(
                    "database error writing %d reports (try %d): %s",
                    len(items),
                    attempt,
                    exc,
                )
                time.sleep(min(2.0**attempt, 15.0))
        logger.error(
            "dropped %d reports after %d failed writes", len(items), WRITE_RETRIES
        )
        self.ingest.counts["dropped_database"] += len(items)
        return None

    def _send_receipts(self, outcome: reports.Outcome) -> None:
        self._publish_receipts(outcome.receipts)
        self._resend_schedules(outcome.behind)

    def _publish_receipts(self, receipts: list[tuple[str, str, list[str]]]) -> None:
        for device, batch, ids in receipts:
            topic = self.topics.command(device)
            self.client.publish(
                topic,
                signing.seal(topic, protocol.encode(protocol.receipt(batch, ids))),
                qos=1,
            )

    def _resend_schedules(self, cluster_ids: list[int]) -> None:
        """Send the newest schedule again to devices that hold an older one.

        The broker normally keeps it (retained, and persisted), but a broker
        whose store was lost, or a device whose storage was wiped, needs it
        again. At most once every few minutes per cluster.
        """
        now = time.monotonic()
        due = [
            pk
            for pk in cluster_ids
            if now - self._resent.get(pk, -RESEND_SCHEDULE_S) >= RESEND_SCHEDULE_S
        ]
        if not due:
            return
        for pk in due:
            self._resent[pk] = now
        for device, document in reports.latest_schedules(due):
            topic = self.topics.schedule(device)
            self.client.publish(
                topic,
                signing.seal(topic, protocol.encode(document)),
                qos=1,
                retain=True,
            )
        logger.info(
            "sent the newest schedule again to %d devices holding an older one",
            len(due),
        )

    def _drop_alarms_due(self) -> dict[int, dict[str, int]]:
        """Gather each device's drops; return those due for an alarm now."""
        for device, counts in self.ingest.take_suspicious().items():
            cluster_id = self.ingest.devices.get(device)
            if cluster_id is not None:
                self._dropped.setdefault(cluster_id, Counter()).update(counts)
        now = time.monotonic()
        due = {
            pk: dict(counts)
            for pk, counts in self._dropped.items()
            if now - self._alarmed.get(pk, -DROP_ALARM_EVERY_S) >= DROP_ALARM_EVERY_S
        }
        for pk in due:
            self._alarmed[pk] = now
            del self._dropped[pk]
        return due

    def republish_if_due(self) -> bool:
        """Put retained messages back after a (re)connection; retried until it works."""
        if not self.republish_due.is_set():
            return False
        self.republish_due.clear()
        try:
            _reconnect_if_needed()
            retained.republish_all()
        except OperationalError as exc:
            logger.warning("could not republish retained messages yet: %s", exc)
            self.republish_due.set()
            return False
        self.republished += 1
        return True

    def beat(self) -> None:
        """Leave the heartbeat ``grassroots status`` and /metrics read (counters included)."""
        health.beat(
            "gateway",
            instance=self.instance,
            connected=self.connected.is_set(),
            counts=dict(self.ingest.counts),
            queue=self.queue.qsize(),
            republished=self.republished,
            rss_mb=round(rss_mb(), 1),
        )

    def housekeeping(self) -> None:
        self.beat()
        try:
            _reconnect_if_needed()
            with audit.acting_as(audit.Origin(source="gateway")):
                silent = reports.mark_silent_offline(3 * self.heartbeat_s + 15)
                alerted = reports.raise_offline_alerts(self.alert_after_s)
                alarms = reports.record_drop_alarms(self._drop_alarms_due())
            if alarms:
                logger.warning(
                    "%d clusters sent messages that were dropped: alarm raised", alarms
                )
            if silent:
                logger.info(
                    "%d clusters silent for three heartbeats: marked offline", silent
                )
            if alerted:
                logger.warning(
                    "%d clusters offline for more than %d s: alert raised",
                    len(alerted),
                    self.alert_after_s,
                )
            self.ingest.refresh()
            if self.connected.is_set():
                self.send_unsent()
        except OperationalError as exc:
            logger.warning("housekeeping skipped: %s", exc)

    def send_unsent(self) -> None:
        """Publish what a process killed between its commit and its publish left unsent."""
        for receiver, outcome in unsent_due.send_robust(sender=type(self)):
            if isinstance(outcome, Exception):
                logger.warning("unsent messages not sent by %s: %r", receiver, outcome)
            elif outcome:
                logger.warning(
                    "%s unconfirmed change(s) published again (a process died before publishing?)",
                    outcome,
                )

    def run(self) -> None:
        """Run until :meth:`stop`; never returns on a bad message or a broker restart."""
        self.ingest.refresh()
        self._connect()
        last_house = last_stats = time.monotonic()
        written = 0
        try:
            while not self.stop_event.is_set():
                self.republish_if_due()
                items = self._take()
                if any(_is_urgent(item) for item in items):
                    self.pacer.urgent()
                if items:
                    outcome = self.write(items)
                    if outcome is not None:
                        written += len(items)
                        # Receipts wait while an emergency's acks pour in (pacing.py).
                        self.pacer.add(outcome.receipts)
                        self._resend_schedules(outcome.behind)
                        self.ingest.counts["events_new"] += outcome.events_new
                        self.ingest.counts["events_repeated"] += outcome.events_repeated
                        self.ingest.counts["states_stale"] += outcome.states_stale
                        if self.on_written is not None:
                            self.on_written(outcome)
                self._publish_receipts(self.pacer.due())
                now = time.monotonic()
                if (
                    self.ingest.unknown
                    and now - self.ingest.loaded_at >= UNKNOWN_RECHECK_S
                ):
                    self.ingest.refresh()
                if now - last_house >= HOUSEKEEPING_S:
                    last_house = now
                    self.housekeeping()
                if now - last_stats >= STATS_S:
                    last_stats = now
                    logger.info(
                        "gateway: %s; %d written; queue %d; RSS %.0f MB",
                        dict(self.ingest.counts),
                        written,
                        self.queue.qsize(),
                        rss_mb(),
                    )
            # Write what already arrived; anything lost here is sent again by
            # the devices, which have no receipt for it.
            items = self._take()
            if items:
                outcome = self.write(items)
                if outcome is not None:
                    self.pacer.add(outcome.receipts)
            self._publish_receipts(self.pacer.due(flush=True))
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            logger.info(
                "gateway stopped: %s; %d written; RSS %.0f MB",
                dict(self.ingest.counts),
                written,
                rss_mb(),
            )

    def stop(self) -> None:
        self.stop_event.set()
