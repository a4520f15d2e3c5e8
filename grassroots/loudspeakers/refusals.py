"""Messages devices refused (forged, unsigned, misaddressed, old), as the console counts them.

A device reports the messages it refuses as ``message_refused`` alarms
(protocol version 2), at most one a minute per reason with how many it
stands for. The gateway keeps each as a history entry of the cluster
(``ClusterLog`` of kind alarm, ``data.code = "message_refused"``); the console
adds up their ``count`` per cluster and for the fleet in a user's area. Any
refusal is worth a look: a forged or misaddressed message means someone is
trying to command the loudspeakers, or a broker leaks messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ClusterLog, LogKind

CODE = "message_refused"
#: How far back the console counts refusals.
WINDOW = timedelta(hours=24)

REASONS = {
    "unsigned": _("a message without the server's signature"),
    "unknown_key": _("a message signed with a key the cluster does not know"),
    "bad_signature": _("a message with a forged signature"),
    "misaddressed": _("a message meant for another cluster or area"),
    "stale": _("an old message sent again"),
    "invalid": _("a malformed message"),
}


def describe(reason: str, count: int) -> str:
    """Return the history line of one refusal alarm, in plain words."""
    return str(
        _("Refused %(count)d messages: %(reason)s")
        % {"count": count, "reason": REASONS.get(reason, reason)}
    )


def entries(since: datetime | None = None) -> QuerySet[ClusterLog]:
    """Return the refusal alarms recorded since ``since`` (default: the last 24 h)."""
    since = since or timezone.now() - WINDOW
    return ClusterLog.objects.filter(kind=LogKind.ALARM, at__gte=since, data__code=CODE)


def counts(cluster_ids: list[int], since: datetime | None = None) -> dict[int, int]:
    """Return the number of refused messages per cluster (clusters with none left out)."""
    totals: dict[int, int] = {}
    for i in range(0, len(cluster_ids), 900):
        rows = entries(since).filter(cluster_id__in=cluster_ids[i : i + 900])
        for cluster_id, data in rows.values_list("cluster_id", "data"):
            totals[cluster_id] = totals.get(cluster_id, 0) + _count(data)
    return totals


def fleet(clusters: QuerySet, since: datetime | None = None) -> dict[str, int]:
    """Return how many messages clusters of ``clusters`` refused, and how many clusters."""
    rows = entries(since).filter(cluster__in=clusters.values("pk"))
    per: dict[int, int] = {}
    for cluster_id, data in rows.values_list("cluster_id", "data"):
        per[cluster_id] = per.get(cluster_id, 0) + _count(data)
    return {"messages": sum(per.values()), "clusters": len(per)}


def _count(data: object) -> int:
    value = data.get("count", 1) if isinstance(data, dict) else 1
    return value if isinstance(value, int) and value > 0 else 1
