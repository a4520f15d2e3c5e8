"""What devices report, recorded in batches by the gateway.

States are applied in each device's own order (boot, connection, sequence),
so a replayed or late message never overwrites a newer one, whichever
gateway instance received it. Events are stored once per event id; acks once
per (cluster, reference, version). Offline detection has two paths: the last
will (immediate) and silence longer than three heartbeats (a lost will).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import refusals
from ..models import (
    Ack,
    Cluster,
    ClusterLog,
    ClusterState,
    ClusterStatus,
    LogKind,
    PlayEvent,
)
from ..selectors import in_service
from ..signals import play_events_arriving

logger = logging.getLogger(__name__)

#: A will ranks after every state of its connection.
WILL_SEQ = 2**62
PLAY_KINDS = {"started", "finished", "failed", "preempted"}
STATUS_FIELDS = [
    "online",
    "since",
    "offline_reason",
    "last_seen_at",
    "boot",
    "conn",
    "seq",
    "reported_at",
    "playing",
    "volume",
    "power",
    "amplifier",
    "temperature_c",
    "signal",
    "firmware",
    "storage_free_mb",
    "clock_offset_ms",
    "schedule_version",
    "schedule_ready",
    "emergencies",
    "buffered_events",
    "uptime_s",
    "alerted_at",
]
#: State fields copied as they are when present.
COPIED = (
    "playing",
    "volume",
    "power",
    "amplifier",
    "temperature_c",
    "signal",
    "firmware",
    "storage_free_mb",
    "clock_offset_ms",
    "schedule_version",
    "schedule_ready",
    "emergencies",
    "buffered_events",
    "uptime_s",
)


@dataclass
class Outcome:
    """What one batch changed, for the gateway's counters and receipts."""

    states_applied: int = 0
    states_stale: int = 0
    events_new: int = 0
    events_repeated: int = 0
    transitions: int = 0
    #: (device id, batch id, event ids) to confirm to each device.
    receipts: list[tuple[str, str, list[str]]] = field(default_factory=list)
    #: Clusters that report an older schedule than the one sent.
    behind: list[int] = field(default_factory=list)


def _time(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return default
    # A device whose clock was never set says 1970: keep its order, not its date.
    if abs((moment - default).total_seconds()) > 366 * 86400:
        return default
    return moment


def _order(message: dict[str, Any]) -> tuple[int, int]:
    return message["conn"], WILL_SEQ if message.get("will") else message.get("seq", 0)


def _is_newer(
    status: ClusterStatus, message: dict[str, Any], received: datetime
) -> bool:
    if not status.boot:
        return True
    if message["boot"] == status.boot:
        return _order(message) > (status.conn, status.seq)
    # Another boot: the later device time wins (a will carries its connection's time).
    return (
        status.reported_at is None
        or _time(message["ts"], received) > status.reported_at
    )


def _apply(
    status: ClusterStatus,
    message: dict[str, Any],
    received: datetime,
    logs: list[ClusterLog],
) -> None:
    online = bool(message["online"])
    if online != status.online or status.since is None:
        status.since = received
        if online:
            status.alerted_at = None
            logs.append(
                ClusterLog(
                    cluster_id=status.cluster_id,
                    at=received,
                    kind=LogKind.ONLINE,
                    message=_("Came online"),
                )
            )
        else:
            reason = message.get("reason") or "will"
            logs.append(
                ClusterLog(
                    cluster_id=status.cluster_id,
                    at=received,
                    kind=LogKind.OFFLINE,
                    message=_("Shut down")
                    if reason == "shutdown"
                    else _("Connection lost"),
                )
            )
    status.online = online
    status.boot = message["boot"]
    status.conn = message["conn"]
    status.seq = _order(message)[1]
    status.reported_at = _time(message["ts"], received)
    if online:
        status.last_seen_at = received
        status.offline_reason = ""
        previous = status.clock_offset_ms
        for name in COPIED:
            if name in message:
                setattr(status, name, message[name])
        _check_clock(status, message, received, previous, logs)
    else:
        status.offline_reason = (message.get("reason") or "will")[:20]
        status.playing = None


def clock_offset_ms(message: dict[str, Any], received: datetime) -> float | None:
    """Return how far the device's clock is ahead of ours (negative: behind), in ms.

    The device's own estimate (``clock_offset_ms``, from the server's stamps)
    when it sends one; else its ``ts`` against our time of receipt, which is
    only fair for a state sent just now (a retained or queued one is not).
    """
    if message.get("clock_offset_ms") is not None:
        return float(message["clock_offset_ms"])
    try:
        moment = datetime.fromisoformat(message["ts"])
    except (KeyError, TypeError, ValueError):
        return None
    return round((moment - received).total_seconds() * 1000, 1)


def _check_clock(
    status: ClusterStatus,
    message: dict[str, Any],
    received: datetime,
    previous: float | None,
    logs: list[ClusterLog],
) -> None:
    """Keep the clock offset; raise an alarm when it goes past the limit.

    Schedules play by the device's clock: one minutes off airs everything
    minutes off. One alarm each time the offset crosses the limit.
    """
    offset = clock_offset_ms(message, received)
    if offset is None:
        return
    status.clock_offset_ms = offset
    limit = settings.GRASSROOTS_CLOCK_OFFSET_ALARM_S * 1000
    if abs(offset) <= limit or (previous is not None and abs(previous) > limit):
        return
    logs.append(
        ClusterLog(
            cluster_id=status.cluster_id,
            at=received,
            kind=LogKind.ALARM,
            message=(
                _("Clock off by %(s).1f s: schedules play at the wrong time")
                % {"s": offset / 1000}
            )[:255],
            data={"severity": "warning", "code": "clock_skew", "offset_ms": offset},
        )
    )


@transaction.atomic
def record_reports(
    states: list[tuple[int, dict[str, Any], datetime]],
    batches: list[tuple[int, dict[str, Any], datetime]],
) -> Outcome:
    """Record device states and event batches (from the gateway); return what changed.

    ``states`` and ``batches`` hold (cluster id, validated message, time received).
    """
    outcome = Outcome()
    logs: list[ClusterLog] = []
    if states:
        by_cluster: dict[int, list[tuple[dict[str, Any], datetime]]] = defaultdict(list)
        for cluster_id, message, received in states:
            by_cluster[cluster_id].append((message, received))
        ids = sorted(by_cluster)
        ClusterStatus.objects.bulk_create(
            [ClusterStatus(cluster_id=i) for i in ids], ignore_conflicts=True
        )
        # Locked in one order, so that gateways sharing the load never deadlock.
        current = {
            s.cluster_id: s
            for s in ClusterStatus.objects.select_for_update()
            .filter(cluster_id__in=ids)
            .order_by("cluster_id")
        }
        changed = []
        for cluster_id in ids:
            status = current[cluster_id]
            touched = False
            for message, received in sorted(
                by_cluster[cluster_id], key=lambda m: _order(m[0])
            ):
                if _is_newer(status, message, received):
                    before = len(logs)
                    _apply(status, message, received, logs)
                    outcome.transitions += len(logs) - before
                    outcome.states_applied += 1
                    touched = True
                else:
                    outcome.states_stale += 1
            if touched:
                changed.append(status)
                if status.online:
                    outcome.behind.append(cluster_id)
        _save_statuses(changed)
        if outcome.behind:
            held = {s.cluster_id: s.schedule_version for s in changed}
            outcome.behind = [
                pk
                for pk, sent in Cluster.objects.filter(
                    pk__in=outcome.behind, schedule_version__isnull=False
                ).values_list("pk", "schedule_version")
                if (held.get(pk) or 0) < (sent or 0)
            ]
    plays: list[PlayEvent] = []
    acks: list[Ack] = []
    for cluster_id, message, received in batches:
        for event in message["events"]:
            kind = event["kind"]
            at = _time(event["at"], received)
            if kind in PLAY_KINDS:
                plays.append(
                    PlayEvent(
                        cluster_id=cluster_id,
                        event_id=event["id"],
                        kind=kind,
                        item=event["item"],
                        title=event.get("title", "")[:200],
                        source=event["source"],
                        priority=event.get("priority", ""),
                        schedule_version=event.get("schedule_version"),
                        occurrence=event.get("occurrence", 1),
                        scheduled_at=_time(event.get("scheduled_at"), at)
                        if event.get("scheduled_at")
                        else None,
                        at=at,
                        position_s=event.get("position_s"),
                        reason=event.get("reason", "")[:200],
                        command=event.get("by", "")[:64],
                    )
                )
            elif kind == "ack":
                acks.append(
                    Ack(
                        cluster_id=cluster_id,
                        ref_type=event["ref_type"],
                        ref=event["ref"],
                        version=event.get("version", 0),
                        status=event["status"],
                        detail=event.get("detail", "")[:500],
                        at=at,
                    )
                )
                if event["ref_type"] == "schedule" and event["status"] != "ok":
                    logs.append(
                        ClusterLog(
                            cluster_id=cluster_id,
                            at=received,
                            kind=LogKind.SCHEDULE,
                            message=_("Schedule version %(v)s refused: %(detail)s")
                            % {
                                "v": event.get("version"),
                                "detail": event.get("detail", ""),
                            },
                            event_id=event["id"],
                        )
                    )
            elif kind == "alarm":
                logs.append(_alarm(cluster_id, at, event))
        outcome.receipts.append(
            (message["device"], message["batch"], [e["id"] for e in message["events"]])
        )
    if plays:
        # The same event may come twice in one batch of reports (a resend).
        plays = list({(p.cluster_id, p.event_id): p for p in plays}.values())
        before = PlayEvent.objects.filter(
            cluster_id__in={p.cluster_id for p in plays},
            event_id__in=[p.event_id for p in plays],
        ).count()
        # Proof of play (the dissemination app) sums the new ones up in this transaction.
        play_events_arriving.send(sender=PlayEvent, events=plays)
        PlayEvent.objects.bulk_create(plays, ignore_conflicts=True, batch_size=500)
        outcome.events_repeated += before
        outcome.events_new += len(plays) - before
    if acks:
        Ack.objects.bulk_create(acks, ignore_conflicts=True, batch_size=500)
    if logs:
        ClusterLog.objects.bulk_create(logs, ignore_conflicts=True, batch_size=500)
    return outcome


def _alarm(cluster_id: int, at: datetime, event: dict[str, Any]) -> ClusterLog:
    """Return the history entry of a device's alarm (a refusal in plain words)."""
    data = {"severity": event.get("severity", "warning"), "code": event["code"]}
    if event["code"] == refusals.CODE:
        data.update(
            reason=event["reason"],
            count=event["count"],
            topic=event.get("topic", "")[:256],
        )
        message = refusals.describe(event["reason"], event["count"])
    else:
        message = f"{event['code']}: {event.get('detail', '')}"
    return ClusterLog(
        cluster_id=cluster_id,
        at=at,
        kind=LogKind.ALARM,
        message=message[:255],
        data=data,
        event_id=event["id"],
    )


def _save_statuses(statuses: list[ClusterStatus]) -> None:
    """Write the statuses with one prepared UPDATE per row (executemany).

    ``bulk_update`` builds CASE expressions whose cost grows with the square
    of the batch; a province's heartbeats come hundreds at a time.
    """
    if not statuses:
        return
    meta = ClusterStatus._meta
    fields = [f for f in meta.concrete_fields if f.name in STATUS_FIELDS]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(meta.db_table),
        ", ".join(f"{quote(str(f.column))} = %s" for f in fields),
        quote(str(meta.pk.column if meta.pk else "cluster_id")),
    )
    rows = [
        [f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields]
        + [s.cluster_id]
        for s in statuses
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def mark_silent_offline(silent_after_s: float, now: datetime | None = None) -> int:
    """Mark offline the clusters not heard from for ``silent_after_s`` (a lost will)."""
    now = now or timezone.now()
    silent = list(
        ClusterStatus.objects.select_for_update()
        .filter(online=True, last_seen_at__lt=now - timedelta(seconds=silent_after_s))
        .order_by("cluster_id")
    )
    for status in silent:
        status.online = False
        status.since = now
        status.offline_reason = "silent"
        status.playing = None
    ClusterStatus.objects.bulk_update(
        silent, ["online", "since", "offline_reason", "playing"]
    )
    ClusterLog.objects.bulk_create(
        [
            ClusterLog(
                cluster_id=s.cluster_id,
                at=now,
                kind=LogKind.OFFLINE,
                message=_("Silent: no report for %(s)d s") % {"s": silent_after_s},
            )
            for s in silent
        ]
    )
    return len(silent)


@transaction.atomic
def raise_offline_alerts(after_s: float, now: datetime | None = None) -> list[int]:
    """Raise an alert for each active cluster offline longer than ``after_s``; return their ids.

    Each outage raises one alert (cleared when the cluster comes back).
    """
    now = now or timezone.now()
    due = list(
        ClusterStatus.objects.filter(
            online=False,
            alerted_at=None,
            since__lt=now - timedelta(seconds=after_s),
            cluster__state=ClusterState.ACTIVE,
        ).values_list("cluster_id", "since")
    )
    if not due:
        return []
    ids = [cluster_id for cluster_id, _since in due]
    ClusterStatus.objects.filter(cluster_id__in=ids).update(alerted_at=now)
    ClusterLog.objects.bulk_create(
        [
            ClusterLog(
                cluster_id=cluster_id,
                at=now,
                kind=LogKind.ALERT,
                message=_("Offline for more than %(m)d minutes")
                % {"m": max(1, after_s // 60)},
                data={"since": since.isoformat() if since else None},
            )
            for cluster_id, since in due
        ]
    )
    return ids


#: Why the gateway dropped a device's messages, as an operator reads it.
DROP_REASONS = {
    "rate": gettext_lazy("too many, too fast"),
    "oversized": gettext_lazy("too large"),
    "malformed": gettext_lazy("not JSON"),
    "schema": gettext_lazy("not in the protocol's format"),
    "unknown_kind": gettext_lazy("of an unknown kind"),
    "impersonation": gettext_lazy("claiming another device's id"),
}


def record_drop_alarms(
    dropped: dict[int, dict[str, int]], now: datetime | None = None
) -> int:
    """Raise an alarm on each cluster whose device sent messages the gateway dropped.

    A flood, oversized or malformed messages, or another device's id in the
    payload mean broken or hostile firmware: the operator sees it in the
    cluster's history with the counts by reason. Return the alarms written.
    """
    now = now or timezone.now()
    logs = []
    for cluster_id, counts in dropped.items():
        parts = [
            f"{count} {DROP_REASONS.get(reason, reason)}"
            for reason, count in sorted(counts.items(), key=lambda kv: -kv[1])
        ]
        logs.append(
            ClusterLog(
                cluster_id=cluster_id,
                at=now,
                kind=LogKind.ALARM,
                message=(
                    _("Messages from the device dropped by the server: %(counts)s")
                    % {"counts": ", ".join(parts)}
                )[:255],
                data={
                    "code": "dropped_messages",
                    "severity": "warning",
                    "counts": dict(counts),
                },
            )
        )
    ClusterLog.objects.bulk_create(logs)
    return len(logs)


def latest_schedules(cluster_ids: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """Return (device id, newest schedule document) for each cluster."""
    from ..models import Schedule

    out = []
    for cluster_id in cluster_ids:
        row = (
            Schedule.objects.filter(cluster_id=cluster_id)
            .order_by("-version")
            .values_list("cluster__code", "document")
            .first()
        )
        if row is not None:
            out.append(row)
    return out


def known_devices() -> dict[str, int]:
    """Return device id → cluster id for every cluster that may connect."""
    return dict(in_service().values_list("code", "pk"))
