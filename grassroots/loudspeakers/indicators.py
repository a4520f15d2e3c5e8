"""The fleet's share of the indicators: IP stations, clusters per station, hamlets covered.

All three are stocks read from each cluster's dated history
(:class:`~.models.ClusterChange`), so a past month shows what the registry
said on its last day. They are computed from a few grouped counts per
commune, whatever the number of areas asked for, so a national table costs
about what a province's does.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.indicators import catalogue, maps, service
from grassroots.indicators.registry import Indicator, Measure, Status, register

from .models import Cluster, ClusterChange, ClusterState


@dataclass
class CommuneFleet:
    """What one commune had on a day: its active clusters and hamlets covered."""

    path: str
    active: bool
    clusters: int = 0
    hamlets: int = 0
    covered: int = 0


def active_on(day: datetime.date):
    """Return the history entries of the clusters active on ``day``."""
    return ClusterChange.objects.on(day).filter(state=ClusterState.ACTIVE)


#: Beyond this many subtrees, reading the whole country beats OR-ing prefixes.
MAX_ROOTS = 8


def _roots(areas: Sequence[Area]) -> tuple[str, ...] | None:
    """Return the paths of a few subtrees holding ``areas``' communes.

    The fewest subtrees when they are few; else their provinces; ``None``
    (the whole country) when even those are too many for a filter.
    """
    paths = set()
    for area in areas:
        if area.level == Level.HAMLET:
            paths.add(area.path.rsplit("/", 2)[0] + "/")
        else:
            paths.add(area.path)
    roots: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if len(roots) > MAX_ROOTS:
        roots = sorted({root.split("/", 1)[0] + "/" for root in roots})
    return tuple(sorted(roots)) if len(roots) <= MAX_ROOTS else None


def fleet_by_commune(
    roots: Sequence[str] | None, day: datetime.date
) -> dict[int, CommuneFleet]:
    """Return each commune's fleet on ``day``, for the communes under ``roots``."""
    communes = Area.objects.communes()
    hamlets = Area.objects.hamlets().active()
    entries = active_on(day)
    if roots is not None:
        communes = communes.filter(scope.area_q(roots, "path"))
        hamlets = hamlets.filter(scope.area_q(roots, "path"))
        entries = entries.filter(scope.area_q(roots, "commune__path"))
    fleet = {
        pk: CommuneFleet(path, active)
        for pk, path, active in communes.values_list("pk", "path", "is_active")
    }
    for row in entries.values("commune_id").annotate(n=Count("id")):
        if row["commune_id"] in fleet:
            fleet[row["commune_id"]].clusters = row["n"]
    for row in hamlets.values("parent_id").annotate(n=Count("id")):
        if row["parent_id"] in fleet:
            fleet[row["parent_id"]].hamlets = row["n"]
    covered = hamlets.filter(
        pk__in=entries.filter(area__level=Level.HAMLET).values("area_id")
    )
    for row in covered.values("parent_id").annotate(n=Count("id")):
        if row["parent_id"] in fleet:
            fleet[row["parent_id"]].covered = row["n"]
    return fleet


class FleetIndicator(Indicator):
    """An indicator counted from the per-commune fleet on the period's last day."""

    def counts(self, communes: Sequence[CommuneFleet]) -> tuple[int, int]:
        raise NotImplementedError

    def hamlet_counts(self, hamlet: Area, covered: bool) -> tuple[int, int]:
        """Return the counts of a hamlet; none where the indicator stops at communes."""
        return 0, 0

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        if area is not None:
            return self.compute_many([area], start, end)[area.pk]
        fleet = service.shared(
            ("fleet", None, end), lambda: fleet_by_commune(None, end)
        )
        numerator, denominator = self.counts(list(fleet.values()))
        return self.measure(numerator, denominator)

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        if not areas:
            return {}
        roots = _roots(areas)
        fleet = service.shared(
            ("fleet", roots, end), lambda: fleet_by_commune(roots, end)
        )
        wide = [a for a in areas if a.level != Level.HAMLET]
        owners = self.bucket((c.path for c in fleet.values()), wide)
        members: dict[int, list[CommuneFleet]] = {a.pk: [] for a in wide}
        for commune in fleet.values():
            for owner in owners[commune.path]:
                members[owner].append(commune)
        out = {pk: self.measure(*self.counts(rows)) for pk, rows in members.items()}
        hamlets = [a for a in areas if a.level == Level.HAMLET]
        if hamlets:
            covered = set(
                active_on(end)
                .filter(area__in=hamlets)
                .values_list("area_id", flat=True)
            )
            for hamlet in hamlets:
                out[hamlet.pk] = self.measure(
                    *self.hamlet_counts(hamlet, hamlet.pk in covered)
                )
        return out


@register
class IpStations(FleetIndicator):
    spec = catalogue.IP_STATIONS

    def counts(self, communes: Sequence[CommuneFleet]) -> tuple[int, int]:
        active = [c for c in communes if c.active]
        return sum(1 for c in active if c.clusters), len(active)


@register
class ClustersPerStation(FleetIndicator):
    spec = catalogue.CLUSTERS_PER_STATION

    def counts(self, communes: Sequence[CommuneFleet]) -> tuple[int, int]:
        stations = [c for c in communes if c.active and c.clusters]
        return sum(c.clusters for c in stations), len(stations)


@register
class HamletCoverage(FleetIndicator):
    spec = catalogue.HAMLET_COVERAGE

    def counts(self, communes: Sequence[CommuneFleet]) -> tuple[int, int]:
        return sum(c.covered for c in communes), sum(c.hamlets for c in communes)

    def hamlet_counts(self, hamlet: Area, covered: bool) -> tuple[int, int]:
        if not hamlet.is_active:
            return 0, 0
        return int(covered), 1


#: Map colours: the indicator colours, so the legend reads the same.
COLOURS = {
    "online": maps.STATUS_COLOURS[Status.MET],
    "maintenance": maps.STATUS_COLOURS[Status.NEAR],
    "offline": maps.STATUS_COLOURS[Status.BEHIND],
    "retired": maps.STATUS_COLOURS[Status.NONE],
}


def cluster_state(state: str, online: bool | None) -> tuple[str, str]:
    """Return (colour key, words) for a cluster on the map: state, then connection."""
    if state != ClusterState.ACTIVE:
        key = "retired" if state == ClusterState.RETIRED else "maintenance"
        return key, str(ClusterState(state).label)
    if online:
        return "online", _("active, online")
    return "offline", _("active, offline")


#: Markers drawn at most; a national map shows the first ones by code.
MAP_LIMIT = 2000


@maps.register_layer("clusters", gettext_lazy("Loudspeaker clusters"))
def clusters_layer(area: Area | None, user) -> list[maps.Feature]:
    clusters = scope.scope(Cluster.objects.all(), user, Capability.VIEW)
    if area is not None:
        clusters = clusters.filter(area__path__under=area.path)
    rows = clusters.order_by("code").values_list(
        "pk",
        "code",
        "name",
        "state",
        "latitude",
        "longitude",
        "area__latitude",
        "area__longitude",
        "status__online",
    )[:MAP_LIMIT]
    # One reverse() for the whole layer: thousands of markers, one URL pattern.
    url = reverse("loudspeakers_clusters:inspect", args=[0]).replace("/0/", "/%d/")
    features = []
    for pk, code, name, state, lat, lon, area_lat, area_lon, online in rows:
        if lat is None or lon is None:
            lat, lon = area_lat, area_lon
        if lat is None or lon is None:
            continue
        key, words = cluster_state(state, online)
        features.append(
            maps.Feature(
                latitude=lat,
                longitude=lon,
                label=f"{code} — {name}" if name else code,
                state=words,
                colour=COLOURS[key],
                url=url % pk,
            )
        )
    return features
