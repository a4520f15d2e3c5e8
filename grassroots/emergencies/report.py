"""The report of a drill (or of any emergency): who was targeted, acknowledged, played.

Read from what the devices said (``Ack`` and ``PlayEvent`` rows the gateway
wrote), like the live page, after the fact:

- **acknowledged**: the cluster's first acknowledgement of the item (any
  version); its delay is the server's time of receipt minus the start;
- **played**: the cluster aired it to the end at least once; the play delay
  is the device's time (kept by NTP) of its first ``started`` event minus
  the start, so a device that uploads its events later still counts the
  moment it really played;
- **failed**: every other targeted cluster, with the reason: what the device
  reported (a failure, a cut), a refused acknowledgement, or silence
  (offline or online at the time of the report).

Latencies are summed up as the median and the 95th percentile (nearest
rank). A province of 10,000 clusters costs one query per table; the lists
are cut to the first ``LISTED`` problems.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from grassroots.loudspeakers.models import Ack, Cluster, ClusterStatus, PlayEvent

from .live import targeted_clusters
from .models import Emergency

LISTED = 200


def _words(reason: str) -> str:
    """Return a device's reason (protocol words) in plain words for officials."""
    known = {
        "missed": pgettext("device report", "could not start in time"),
        "audio unavailable": pgettext(
            "device report", "the audio could not be downloaded"
        ),
        "power off": pgettext("device report", "the amplifier was off"),
        "player error": pgettext("device report", "the player failed"),
        "cancelled": pgettext("device report", "cancelled while it played"),
        "updated": pgettext("device report", "replaced by a new version"),
        "expired": pgettext("device report", "its end time came while it played"),
        "pre-empted": pgettext("device report", "a real emergency came first"),
        "rejected": pgettext("device report", "refused"),
        "failed": pgettext("device report", "failed"),
        "expired_ack": pgettext("device report", "received too late"),
        "": pgettext("device report", "no reason given"),
    }
    return str(known.get(reason, reason))


@dataclass
class Problem:
    """A targeted cluster that did not air it to the end, and why."""

    cluster: Cluster
    reason: str
    acked: bool


@dataclass
class Report:
    targeted: int = 0
    acknowledged: int = 0
    played: int = 0
    ack_p50_s: float | None = None
    ack_p95_s: float | None = None
    play_p50_s: float | None = None
    play_p95_s: float | None = None
    slowest_ack_s: float | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.targeted) if self.targeted else 0

    @property
    def played_percent(self) -> int:
        return round(100 * self.played / self.targeted) if self.targeted else 0


def percentile(values: list[float], q: float) -> float | None:
    """Return the ``q`` quantile (0–1) of ``values`` by nearest rank, or None."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _seconds(later: datetime, start: datetime) -> float:
    return max(0.0, (later - start).total_seconds())


def _first_acks(
    emergency: Emergency, ids: set[int]
) -> dict[int, tuple[str, str, datetime]]:
    first: dict[int, tuple[str, str, datetime]] = {}
    rows = (
        Ack.objects.filter(ref_type="emergency", ref=emergency.item_id)
        .order_by("received_at")
        .values_list("cluster_id", "status", "detail", "received_at")
    )
    for cluster_id, status, detail, received in rows:
        if cluster_id in ids and cluster_id not in first:
            first[cluster_id] = (status, detail, received)
    return first


def _plays(
    emergency: Emergency, ids: set[int]
) -> tuple[dict[int, datetime], set[int], dict[int, str]]:
    """Return first start per cluster, clusters that finished, last problem per cluster."""
    started: dict[int, datetime] = {}
    finished: set[int] = set()
    trouble: dict[int, str] = {}
    rows = (
        PlayEvent.objects.filter(item=emergency.item_id)
        .order_by("at")
        .values_list("cluster_id", "kind", "reason", "at")
    )
    for cluster_id, kind, reason, at in rows:
        if cluster_id not in ids:
            continue
        if kind == PlayEvent.Kind.STARTED:
            started.setdefault(cluster_id, at)
        elif kind == PlayEvent.Kind.FINISHED:
            finished.add(cluster_id)
        elif kind == PlayEvent.Kind.FAILED:
            trouble[cluster_id] = _("failed: %(reason)s") % {"reason": _words(reason)}
        elif kind == PlayEvent.Kind.PREEMPTED:
            trouble[cluster_id] = _("cut off: %(reason)s") % {"reason": _words(reason)}
    return started, finished, trouble


def report(emergency: Emergency) -> Report:
    """Return the report of ``emergency`` as the devices told it so far."""
    result = Report()
    ids = set(targeted_clusters(emergency).values_list("pk", flat=True))
    result.targeted = len(ids)
    start = emergency.started_at
    acks = _first_acks(emergency, ids)
    ok = {c for c, (status, _d, _r) in acks.items() if status == "ok"}
    result.acknowledged = len(ok)
    ack_delays = [_seconds(acks[c][2], start) for c in ok]
    result.ack_p50_s = percentile(ack_delays, 0.5)
    result.ack_p95_s = percentile(ack_delays, 0.95)
    result.slowest_ack_s = max(ack_delays, default=None)
    started, finished, trouble = _plays(emergency, ids)
    result.played = len(finished)
    play_delays = [_seconds(started[c], start) for c in finished if c in started]
    result.play_p50_s = percentile(play_delays, 0.5)
    result.play_p95_s = percentile(play_delays, 0.95)
    online = set(
        ClusterStatus.objects.filter(cluster_id__in=ids, online=True).values_list(
            "cluster_id", flat=True
        )
    )
    reasons: dict[int, str] = {}
    for cluster_id in sorted(ids - finished):
        ack = acks.get(cluster_id)
        if cluster_id in trouble:
            reasons[cluster_id] = trouble[cluster_id]
        elif ack is not None and ack[0] != "ok":
            status = "expired_ack" if ack[0] == "expired" else ack[0]
            reasons[cluster_id] = _("did not take it: %(status)s") % {
                "status": _words(status)
            }
        elif ack is not None:
            reasons[cluster_id] = _("acknowledged, did not play it to the end")
        elif cluster_id in online:
            reasons[cluster_id] = _("no acknowledgement (online now)")
        else:
            reasons[cluster_id] = _("no acknowledgement (offline now)")
    result.problem_count = len(reasons)
    result.reasons = Counter(reasons.values()).most_common()
    listed = sorted(reasons)[:LISTED]
    clusters = Cluster.objects.select_related("area").in_bulk(listed)
    result.problems = [
        Problem(clusters[pk], reasons[pk].strip(), pk in acks)
        for pk in listed
        if pk in clusters
    ]
    result.problems.sort(key=lambda p: p.cluster.code)
    return result
