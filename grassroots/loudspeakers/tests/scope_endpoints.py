"""Staff lists of the loudspeakers app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint

from .factories import make_cluster, make_station


def _cluster(area, marker):
    return make_cluster(area, code=marker[:60], name=marker)


def _named_station(area, marker):
    station = make_station(area)
    station.name = marker
    station.save()
    return station


ENDPOINTS = [
    ScopedEndpoint(
        "console clusters",
        "/console/loudspeakers/clusters/?q={marker_prefix}",
        _cluster,
        Capability.VIEW,
        levels=(Level.COMMUNE, Level.HAMLET),
    ),
    ScopedEndpoint(
        "console stations",
        "/console/loudspeakers/stations/?q={marker_prefix}",
        _named_station,
        Capability.VIEW,
        levels=(Level.COMMUNE,),
    ),
    ScopedEndpoint(
        "cluster live status",
        "/console/loudspeakers/map/live.json",
        _cluster,
        Capability.VIEW,
        levels=(Level.COMMUNE, Level.HAMLET),
        json=True,
    ),
    ScopedEndpoint(
        "api clusters",
        "/api/v1/loudspeakers/clusters",
        _cluster,
        Capability.VIEW,
        levels=(Level.COMMUNE, Level.HAMLET),
        json=True,
    ),
]
