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

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.core import numbers

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
        _("Refused %(count)s messages: %(reason)s")
        % {"count": numbers.text(count), "reason": REASONS.get(reason, reason)}
    )


def entries(since: datetime | None = None) -> QuerySet[ClusterLog]:
    """Return the refusal alarms recorded since ``since`` (default: the last 24 h)."""
    since = since or timezone.now() - WINDOW
    return ClusterLog.objects.filter(kind=LogKind.ALARM, at__gte=since, data__code=CODE)


@dataclass
class Refused:
    """What one cluster refused in the window: how many messages, the last when."""

    messages: int = 0
    last: datetime | None = None


def by_cluster(
    cluster_ids: list[int], since: datetime | None = None
) -> dict[int, Refused]:
    """Return what each cluster refused (clusters with nothing left out).

    Asked by cluster, a few hundred at a time, so that each query walks the
    history's (cluster, time) index over the window only: the history of a
    province's fleet holds millions of lines.
    """
    found: dict[int, Refused] = {}
    for i in range(0, len(cluster_ids), 900):
        rows = entries(since).filter(cluster_id__in=cluster_ids[i : i + 900])
        for cluster_id, at, data in rows.values_list("cluster_id", "at", "data"):
            refused = found.setdefault(cluster_id, Refused())
            refused.messages += _count(data)
            refused.last = at if refused.last is None else max(refused.last, at)
    return found


def counts(cluster_ids: list[int], since: datetime | None = None) -> dict[int, int]:
    """Return the number of refused messages per cluster (clusters with none left out)."""
    return {pk: r.messages for pk, r in by_cluster(cluster_ids, since).items()}


def fleet(clusters: QuerySet) -> dict[int, Refused]:
    """Return what each cluster of ``clusters`` refused in the last 24 hours."""
    return by_cluster(list(clusters.values_list("pk", flat=True)))


def _count(data: object) -> int:
    value = data.get("count", 1) if isinstance(data, dict) else 1
    return value if isinstance(value, int) and value > 0 else 1
