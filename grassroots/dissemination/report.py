"""The dissemination report of one bulletin: who heard it, who did not, and why.

Read from the coverage tables (never the raw play events), the registry
(which clusters are meant to air the bulletin and whether they are online),
what was sent to devices (schedules and commands naming the bulletin) and
the boards' proof of display. Everything is narrowed to a list of area
paths, the user's scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area, Level
from grassroots.boards import coverage as boards_coverage
from grassroots.bulletins.models import Bulletin
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Cluster, ClusterState, ClusterStatus
from grassroots.loudspeakers.models.traffic import Command, Schedule
from grassroots.loudspeakers.selectors import in_service

from .models import AreaCoverage, ClusterCoverage

#: What became of a targeted cluster, in the order the report lists them.
PLAYED = "played"
FAILED = "failed"
OFFLINE = "offline"
PENDING = "pending"
OUTCOMES = {
    PLAYED: _("played"),
    FAILED: _("failed"),
    OFFLINE: _("offline"),
    PENDING: _("not played yet"),
}
FAILURE_KINDS = {"failed": _("failed"), "preempted": _("interrupted")}


@dataclass
class ClusterLine:
    cluster_id: int
    code: str
    name: str
    area_name: str
    area_path: str
    outcome: str
    finished: int = 0
    first_heard_at: datetime.datetime | None = None
    last_heard_at: datetime.datetime | None = None
    failure: str = ""
    failure_reason: str = ""
    last_failed_at: datetime.datetime | None = None
    online: bool = False
    offline_since: datetime.datetime | None = None
    last_seen_at: datetime.datetime | None = None

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])

    @property
    def failure_label(self) -> str:
        return str(FAILURE_KINDS.get(self.failure, self.failure))


@dataclass
class HamletLine:
    area_id: int
    name: str
    path: str
    commune: str
    clusters_targeted: int = 0
    clusters_heard: int = 0
    finished: int = 0
    first_heard_at: datetime.datetime | None = None
    last_heard_at: datetime.datetime | None = None
    boards: int = 0
    #: False for a hamlet outside the targets whose clusters were sent it anyway.
    targeted: bool = True

    @property
    def heard(self) -> bool:
        return self.finished > 0


@dataclass
class Report:
    bulletin: Bulletin
    hamlets: list[HamletLine] = field(default_factory=list)
    clusters: list[ClusterLine] = field(default_factory=list)
    boards: list[boards_coverage.BoardDisplay] = field(default_factory=list)
    #: Web Push to citizens' phones (the citizen app): accepted by the push
    #: services, and subscriptions found gone.
    pushes_reached: int = 0
    pushes_gone: int = 0

    @property
    def hamlets_targeted(self) -> int:
        return sum(1 for h in self.hamlets if h.targeted)

    @property
    def hamlets_heard(self) -> int:
        """Return the targeted hamlets where a cluster played it to the end."""
        return sum(1 for h in self.hamlets if h.targeted and h.heard)

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.clusters if c.outcome == outcome)

    @property
    def times_played(self) -> int:
        return sum(c.finished for c in self.clusters)


def target_paths(bulletin: Bulletin) -> list[str]:
    """Return the paths the bulletin is meant for (its issuing area without targets)."""
    paths = [a.path for a in bulletin.target_areas.all()]
    return paths or [bulletin.issuing_area.path]


def within(paths: Iterable[str], roots: list[str] | None) -> list[str]:
    """Return the parts of ``paths`` inside ``roots`` (None: everywhere)."""
    paths = list(paths)
    if roots is None:
        return paths
    kept = set()
    for path in paths:
        for root in roots:
            if path.startswith(root):
                kept.add(path)
            elif root.startswith(path):
                kept.add(root)
    return sorted(kept)


def targeted_hamlets(paths: list[str]):
    """Return the active hamlets under ``paths``."""
    return Area.objects.hamlets().active().filter(area_q(paths, "path"))


#: Other apps that send a bulletin's items to clusters by their own means (the
#: emergencies app) add a function ``(bulletin) -> cluster ids`` here.
SENT_SOURCES: list[Callable[[Bulletin], Iterable[int]]] = []


def register_sent_source(
    source: Callable[[Bulletin], Iterable[int]],
) -> Callable[[Bulletin], Iterable[int]]:
    """Add ``source`` to the clusters a bulletin counts as sent to (a decorator)."""
    if source not in SENT_SOURCES:
        SENT_SOURCES.append(source)
    return source


def sent_cluster_ids(bulletin: Bulletin) -> set[int]:
    """Return the clusters that were sent an item of the bulletin (schedule or command).

    Read from the schedule versions and commands sent since the bulletin was
    created: the item id ``bul:{id}:…`` (``loudspeakers.playables``) is in
    their documents.
    """
    marker = '"' + playables.bulletin_prefix(bulletin.pk)
    since = bulletin.created_at
    found = set(
        Schedule.objects.filter(created_at__gte=since)
        .annotate(text=Cast("document", TextField()))
        .filter(text__contains=marker)
        .values_list("cluster_id", flat=True)
    )
    commands = (
        Command.objects.filter(issued_at__gte=since)
        .annotate(text=Cast("args", TextField()))
        .filter(text__contains=marker)
        .values_list("cluster_id", "area__path")
    )
    area_paths: list[str] = []
    for cluster_id, path in commands:
        if cluster_id is not None:
            found.add(cluster_id)
        else:
            area_paths.append(path)
    for source in SENT_SOURCES:
        found |= set(source(bulletin))
    if area_paths:
        found |= set(
            in_service()
            .filter(area_q(area_paths, "area__path"))
            .values_list("pk", flat=True)
        )
    return found


def targeted_clusters(bulletin: Bulletin, paths: list[str]):
    """Return the clusters meant to air the bulletin, inside ``paths``.

    The active clusters under its targets when it goes to loudspeakers, those
    sent an item of it by a schedule, a command or an emergency, and any that
    reported playing it.
    """
    query = Q(pk__in=sent_cluster_ids(bulletin)) | Q(
        pk__in=ClusterCoverage.objects.filter(bulletin=bulletin).values("cluster_id")
    )
    if bulletin.on_loudspeakers:
        query |= Q(state=ClusterState.ACTIVE) & area_q(
            target_paths(bulletin), "area__path"
        )
    return Cluster.objects.filter(query).filter(area_q(paths, "area__path"))


def build(bulletin: Bulletin, roots: list[str] | None) -> Report:
    """Return the report of ``bulletin`` limited to the areas ``roots`` (None: all)."""
    report = Report(bulletin)
    everywhere = [p.split("/", 1)[0] + "/" for p in target_paths(bulletin)]
    scope_paths = roots if roots is not None else sorted(set(everywhere))
    hamlet_paths = within(target_paths(bulletin), roots)
    # Plain values, not model instances: a province-wide bulletin has thousands.
    clusters = list(
        targeted_clusters(bulletin, scope_paths)
        .order_by("area__path", "code")
        .values_list("pk", "code", "name", "area__name", "area__path")
    )
    ids = [c[0] for c in clusters]
    covered = {
        row[0]: row[1:]
        for row in ClusterCoverage.objects.filter(
            bulletin=bulletin, cluster_id__in=ids
        ).values_list(
            "cluster_id",
            "finished",
            "first_heard_at",
            "last_heard_at",
            "last_failure",
            "last_failure_reason",
            "last_failed_at",
        )
    }
    statuses = {
        row[0]: row[1:]
        for row in ClusterStatus.objects.filter(cluster_id__in=ids).values_list(
            "cluster_id", "online", "since", "last_seen_at"
        )
    }
    for pk, code, name, area_name, area_path in clusters:
        online, since, last_seen = statuses.get(pk, (False, None, None))
        line = ClusterLine(
            cluster_id=pk,
            code=code,
            name=name,
            area_name=area_name,
            area_path=area_path,
            outcome=PENDING,
            online=online,
            offline_since=None if online else since,
            last_seen_at=last_seen,
        )
        row = covered.get(pk)
        if row is not None:
            (
                line.finished,
                line.first_heard_at,
                line.last_heard_at,
                line.failure,
                line.failure_reason,
                line.last_failed_at,
            ) = row
        if line.finished:
            line.outcome = PLAYED
        elif line.failure:
            line.outcome = FAILED
        elif not line.online:
            line.outcome = OFFLINE
        report.clusters.append(line)
    order = {PLAYED: 3, FAILED: 0, OFFLINE: 1, PENDING: 2}
    report.clusters.sort(key=lambda c: (order[c.outcome], c.area_path, c.code))

    hamlets = (
        {
            pk: HamletLine(pk, name, path, commune or "")
            for pk, name, path, commune in targeted_hamlets(hamlet_paths)
            .order_by("path")
            .values_list("pk", "name", "path", "parent__name")
        }
        if hamlet_paths
        else {}
    )
    # Hamlets outside the targets whose clusters still played it (sent by hand).
    heard = (
        AreaCoverage.objects.filter(bulletin=bulletin, area__level=Level.HAMLET)
        .filter(area_q(scope_paths, "area_path"))
        .values_list(
            "area_id",
            "area__name",
            "area_path",
            "area__parent__name",
            "finished",
            "clusters_heard",
            "first_heard_at",
            "last_heard_at",
        )
    )
    for pk, name, path, commune, finished, heard_by, first, last in heard:
        hamlet = hamlets.get(pk)
        if hamlet is None:
            hamlet = hamlets[pk] = HamletLine(
                pk, name, path, commune or "", targeted=False
            )
        hamlet.finished = finished
        hamlet.clusters_heard = heard_by
        hamlet.first_heard_at = first
        hamlet.last_heard_at = last
    by_path = {h.path: h for h in hamlets.values()}
    for cluster in report.clusters:
        if cluster.area_path in by_path:
            by_path[cluster.area_path].clusters_targeted += 1

    displays = boards_coverage.displays_for(bulletin.pk)
    board_paths = dict(
        Area.objects.filter(pk__in={b.area_id for b in displays.boards}).values_list(
            "pk", "path"
        )
    )
    report.boards = [
        b
        for b in displays.boards
        if roots is None or any(board_paths[b.area_id].startswith(r) for r in roots)
    ]
    for board in report.boards:
        if board.hamlet_id in hamlets:
            hamlets[board.hamlet_id].boards += 1
    report.hamlets = sorted(hamlets.values(), key=lambda h: h.path)
    report.pushes_reached, report.pushes_gone = pushes(bulletin, roots)
    return report


def pushes(bulletin: Bulletin, roots: list[str] | None) -> tuple[int, int]:
    """Return (phones reached, subscriptions gone) by the bulletin's Web Push, in ``roots``."""
    from django.db.models import Sum

    from grassroots.citizen.models import PushTally

    tallies = PushTally.objects.filter(bulletin=bulletin)
    if roots is not None:
        tallies = tallies.filter(area_q(roots, "area_path"))
    totals = tallies.aggregate(reached=Sum("reached"), gone=Sum("gone"))
    return totals["reached"] or 0, totals["gone"] or 0
