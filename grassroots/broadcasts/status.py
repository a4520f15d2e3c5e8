"""Which devices hold the newest schedule: sent (``Cluster.schedule_version``)
against held (``ClusterStatus.schedule_version``, reported by the device)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q

from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service


@dataclass(frozen=True)
class Sync:
    clusters: int
    in_sync: int
    never_sent: int

    @property
    def behind(self) -> int:
        return self.clusters - self.in_sync - self.never_sent

    @property
    def complete(self) -> bool:
        return self.clusters > 0 and self.in_sync == self.clusters


def in_sync_q() -> Q:
    return Q(
        schedule_version__isnull=False,
        status__schedule_version__gte=F("schedule_version"),
    )


def sync_of(cluster_ids: Iterable[int] | None = None, *, clusters=None) -> Sync:
    """Count the clusters holding the newest version sent to them."""
    qs = clusters if clusters is not None else Cluster.objects.all()
    if cluster_ids is not None:
        qs = qs.filter(pk__in=list(cluster_ids))
    qs = in_service(qs)
    return Sync(
        clusters=qs.count(),
        in_sync=qs.filter(in_sync_q()).count(),
        never_sent=qs.filter(
            Q(schedule_version__isnull=True) | Q(schedule_version=0)
        ).count(),
    )


def rows(cluster_ids: Iterable[int]) -> list[dict]:
    """Return one row per cluster: code, hamlet, sent, held, in sync, online."""
    clusters = (
        in_service(Cluster.objects.filter(pk__in=list(cluster_ids)))
        .select_related("area", "status")
        .order_by("area__path", "code")
    )
    result = []
    for c in clusters:
        status = getattr(c, "status", None)
        held = status.schedule_version if status is not None else None
        result.append(
            {
                "cluster": c,
                "sent": c.schedule_version,
                "held": held,
                "in_sync": bool(
                    c.schedule_version and held and held >= c.schedule_version
                ),
                "online": bool(status and status.online),
            }
        )
    return result
