"""The live picture of clusters, as the console list, the map and the API show it.

One query per page (registry, hamlet and status together), and the words for
each status computed here, so every view says the same thing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from . import refusals
from .models import Cluster, ClusterState

ONLINE, OFFLINE, ALERT, NEVER = "online", "offline", "alert", "never"


def alert_after() -> timedelta:
    return timedelta(seconds=settings.GRASSROOTS_DEVICE_OFFLINE_ALERT_S)


def local(moment: datetime | None, pattern: str = "H:i d/m/Y") -> str:
    return date_format(timezone.localtime(moment), pattern) if moment else ""


def status_filter(status: str, now: datetime | None = None) -> Q:
    """Return a filter on clusters for a live status (for lists and counts)."""
    now = now or timezone.now()
    cutoff = now - alert_after()
    if status == ONLINE:
        return Q(status__online=True)
    if status == NEVER:
        return Q(status__isnull=True) | Q(status__since__isnull=True)
    offline = Q(status__online=False, status__since__isnull=False)
    if status == ALERT:
        return offline & Q(status__since__lt=cutoff, state=ClusterState.ACTIVE)
    if status == OFFLINE:
        return offline
    raise ValueError(status)


def sync_filter(in_sync: bool) -> Q:
    from django.db.models import F

    same = Q(status__schedule_version=F("schedule_version"))
    return (
        same
        if in_sync
        else (Q(schedule_version__isnull=False) & ~same)
        | (Q(schedule_version__isnull=False) & Q(status__schedule_version__isnull=True))
    )


def rows(
    clusters: QuerySet[Cluster], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Return one dict per cluster with what the console shows live."""
    now = now or timezone.now()
    cutoff = now - alert_after()
    fields = (
        "pk",
        "code",
        "name",
        "state",
        "latitude",
        "longitude",
        "schedule_version",
        "area__name",
        "area__latitude",
        "area__longitude",
        "station__commune__name",
        "status__online",
        "status__since",
        "status__last_seen_at",
        "status__playing",
        "status__volume",
        "status__power",
        "status__schedule_version",
        "status__schedule_ready",
        "status__temperature_c",
        "status__signal",
        "status__offline_reason",
    )
    out = [describe(r, now, cutoff) for r in clusters.values(*fields)]
    refused = refusals.counts([o["id"] for o in out], since=now - refusals.WINDOW)
    for o in out:
        o["refused"] = refused.get(o["id"], 0)
    return out


def describe(r: dict[str, Any], now: datetime, cutoff: datetime) -> dict[str, Any]:
    online = bool(r["status__online"])
    since = r["status__since"]
    if online:
        status = ONLINE
        text = _("Online")
    elif since is None:
        status = NEVER
        text = _("Never connected")
    else:
        status = (
            ALERT if since < cutoff and r["state"] == ClusterState.ACTIVE else OFFLINE
        )
        text = _("Offline since %(time)s (%(ago)s)") % {
            "time": local(since),
            "ago": timesince(since, now, depth=1),
        }
    reason = r.get("status__offline_reason") or ""
    reason_text = {
        "": "",
        "will": _("connection lost suddenly (power or network cut)"),
        "shutdown": _("switched off properly"),
        "silent": _("stopped reporting"),
    }.get(reason, _("connection lost suddenly (power or network cut)"))
    if online or since is None:
        reason_text = ""
    sent, held = r["schedule_version"], r["status__schedule_version"]
    if sent is None:
        sync, sync_text = None, _("No schedule sent")
    elif sent == held:
        sync = True
        sync_text = _("Version %(v)s, in sync") % {"v": sent}
        if r["status__schedule_ready"] is False:
            sync_text = _("Version %(v)s, audio downloading") % {"v": sent}
    else:
        sync = False
        sync_text = _("Holds %(held)s, sent %(sent)s") % {
            "held": held if held is not None else "—",
            "sent": sent,
        }
    playing = r["status__playing"] if online else None
    lat = r["latitude"] if r["latitude"] is not None else r["area__latitude"]
    lon = r["longitude"] if r["longitude"] is not None else r["area__longitude"]
    return {
        "id": r["pk"],
        "code": r["code"],
        "name": r["name"],
        "hamlet": r["area__name"],
        "commune": r["station__commune__name"],
        "state": r["state"],
        "state_text": str(ClusterState(r["state"]).label),
        "lat": lat,
        "lon": lon,
        "status": status,
        "status_text": text,
        "reason_text": reason_text,
        "since": since.isoformat() if since else None,
        "last_seen": local(r["status__last_seen_at"]),
        "playing": (playing or {}).get("title") or (playing or {}).get("item"),
        "playing_priority": (playing or {}).get("priority"),
        "volume": r["status__volume"] if online else None,
        "power": r["status__power"] if online else None,
        "temperature": r["status__temperature_c"],
        "schedule_sent": sent,
        "schedule_held": held,
        "in_sync": sync,
        "sync_text": sync_text,
    }


def summary(items: list[dict[str, Any]]) -> dict[str, int]:
    counts = {ONLINE: 0, OFFLINE: 0, ALERT: 0, NEVER: 0, "playing": 0, "out_of_sync": 0}
    counts["refused"] = 0
    for item in items:
        counts[item["status"]] += 1
        counts["playing"] += 1 if item["playing"] else 0
        counts["out_of_sync"] += 1 if item["in_sync"] is False else 0
        counts["refused"] += 1 if item.get("refused") else 0
    counts["total"] = len(items)
    return counts


def describe_cluster(cluster: Cluster, now: datetime | None = None) -> dict[str, Any]:
    """Return :func:`describe` for a cluster loaded with its area, station and status."""
    cached = getattr(cluster, "_live", None)
    if cached is not None:
        return cached
    now = now or timezone.now()
    status = getattr(cluster, "status", None) if _has_status(cluster) else None
    r = {
        "pk": cluster.pk,
        "code": cluster.code,
        "name": cluster.name,
        "state": cluster.state,
        "latitude": cluster.latitude,
        "longitude": cluster.longitude,
        "schedule_version": cluster.schedule_version,
        "area__name": cluster.area.name,
        "area__latitude": cluster.area.latitude,
        "area__longitude": cluster.area.longitude,
        "station__commune__name": cluster.station.commune.name,
    }
    for name in (
        "online",
        "since",
        "last_seen_at",
        "playing",
        "volume",
        "power",
        "schedule_version",
        "schedule_ready",
        "temperature_c",
        "signal",
        "offline_reason",
    ):
        r[f"status__{name}"] = (
            getattr(status, name, None) if status is not None else None
        )
    cluster._live = describe(r, now, now - alert_after())  # type: ignore[attr-defined]
    return cluster._live  # type: ignore[attr-defined]


def _has_status(cluster: Cluster) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        cluster.status  # noqa: B018 - a reverse one-to-one raises when missing
    except ObjectDoesNotExist:
        return False
    return True
