"""What the live page of an emergency shows: who acknowledged, who did not, which boards.

Counts come from the rows the gateway writes (``Ack``, ``ClusterStatus``)
and the boards' reports (``BoardStatus``), so the page tells what devices
said, not what was sent. Built for a commune and for a province of 10,000
clusters alike: counts are aggregates, lists are cut to the first few.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from grassroots.boards.models import Board, BoardState, Takeover
from grassroots.loudspeakers.models import Ack, Cluster, ClusterStatus
from grassroots.loudspeakers.selectors import in_service

from .models import Emergency

LISTED = 50


@dataclass
class Live:
    targeted: int = 0
    #: Acknowledged the current rev.
    acked: int = 0
    #: Acknowledged, but refused or failed it.
    refused: int = 0
    #: Acknowledged only an earlier rev (the update has not reached them yet).
    earlier: int = 0
    waiting_online: list[Cluster] = field(default_factory=list)
    waiting_online_count: int = 0
    waiting_offline: list[Cluster] = field(default_factory=list)
    waiting_offline_count: int = 0
    slowest_s: float | None = None
    takeover: Takeover | None = None
    boards: int = 0
    boards_showing: list[Board] = field(default_factory=list)
    boards_showing_count: int = 0
    boards_not_showing: list[Board] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.acked / self.targeted) if self.targeted else 0


def clusters_under(paths: list[str], extra: Q | None = None) -> QuerySet[Cluster]:
    """Return the clusters in ``paths`` (and ``extra``), retired ones excepted."""
    wanted = extra if extra is not None else Q(pk__in=[])
    for path in paths:
        wanted |= Q(area__path__under=path)
    return in_service().filter(wanted)


def targeted_clusters(emergency: Emergency) -> QuerySet[Cluster]:
    """Return the clusters that should play the emergency."""
    return clusters_under(
        list(emergency.target_areas.values_list("path", flat=True)),
        Q(pk__in=emergency.target_clusters.values("pk")),
    )


def live(emergency: Emergency) -> Live:
    result = Live()
    clusters = targeted_clusters(emergency)
    ids = set(clusters.values_list("pk", flat=True))
    result.targeted = len(ids)
    acks = Ack.objects.filter(ref_type="emergency", ref=emergency.item_id)
    current = {
        cluster: (status, received)
        for cluster, status, received in acks.filter(version=emergency.rev).values_list(
            "cluster_id", "status", "received_at"
        )
        if cluster in ids
    }
    result.acked = sum(1 for s, _r in current.values() if s == "ok")
    result.refused = len(current) - result.acked
    if current:
        last = max(r for _s, r in current.values())
        result.slowest_s = max(0.0, (last - emergency.updated_at).total_seconds())
    earlier = set(
        acks.filter(version__lt=emergency.rev).values_list("cluster_id", flat=True)
    )
    result.earlier = len((earlier & ids) - set(current))
    waiting = ids - set(current)
    # A subquery, not a list of ids: a province has ten thousand clusters.
    online = waiting & set(
        ClusterStatus.objects.filter(cluster__in=clusters, online=True).values_list(
            "cluster_id", flat=True
        )
    )
    offline = waiting - online
    result.waiting_online_count = len(online)
    result.waiting_offline_count = len(offline)
    pick = Cluster.objects.select_related("area").order_by("code")
    result.waiting_online = list(pick.filter(pk__in=sorted(online)[:LISTED]))
    result.waiting_offline = list(pick.filter(pk__in=sorted(offline)[:LISTED]))
    _boards(emergency, result)
    return result


def _boards(emergency: Emergency, result: Live) -> None:
    if not emergency.takeover_id:
        return
    takeover = Takeover.objects.filter(emergency_id=emergency.takeover_id).first()
    if takeover is None:
        return
    result.takeover = takeover
    under = Q(pk__in=[])
    for path in takeover.area_paths:
        under |= Q(area__path__under=path)
    boards = (
        Board.objects.filter(under, state=BoardState.ACTIVE)
        .select_related("area", "status")
        .order_by("name")
    )
    result.boards = boards.count()
    showing = boards.filter(status__showing_key=takeover.key)
    result.boards_showing_count = showing.count()
    result.boards_showing = list(showing[:LISTED])
    result.boards_not_showing = list(
        boards.exclude(pk__in=showing.values("pk"))[:LISTED]
    )
