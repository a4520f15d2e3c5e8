"""Staff lists of the broadcasts app, for the scope harness."""

import datetime

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.broadcasts.models import (
    ClusterGroup,
    ProgrammeItem,
    ProgrammeSchedule,
    Source,
)
from grassroots.testing.scope import ScopedEndpoint


def _item(area, marker):
    return ProgrammeItem.objects.create(
        area=area,
        title=marker,
        source=Source.RELAY,
        relay_url="https://radio.example.vn/vov1.mp3",
        duration_s=600,
    )


def _schedule(area, marker):
    schedule = ProgrammeSchedule.objects.create(
        item=_item(area, marker),
        area=area,
        starts_on=datetime.date(2025, 7, 1),
        at=datetime.time(6, 0),
    )
    schedule.target_areas.set([area])
    return schedule


def _group(area, marker):
    return ClusterGroup.objects.create(area=area, name=marker)


ENDPOINTS = [
    ScopedEndpoint(
        "programme items",
        "/console/broadcasts/items/?q={marker_prefix}",
        _item,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
    ScopedEndpoint(
        "programme schedules",
        "/console/broadcasts/schedules/?q={marker_prefix}",
        _schedule,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
    ScopedEndpoint(
        "groups of clusters",
        "/console/broadcasts/groups/?q={marker_prefix}",
        _group,
        Capability.VIEW,
    ),
]
