"""Builders for the broadcast tests."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from grassroots.areas.models import Area
from grassroots.broadcasts.models import ProgrammeItem, ProgrammeSchedule, Source

_n = itertools.count(1)
SHA = "cd" * 32


def make_item(area: Area, **fields: Any) -> ProgrammeItem:
    """Return a relay item (needs no audio), ready to air."""
    defaults: dict[str, Any] = {
        "title": f"Tiếp sóng {next(_n)}",
        "source": Source.RELAY,
        "relay_url": "https://radio.example.vn/vov1.mp3",
        "duration_s": 600,
    }
    defaults.update(fields)
    return ProgrammeItem.objects.create(area=area, **defaults)


def make_schedule(
    item: ProgrammeItem,
    targets: list[Area],
    *,
    area: Area | None = None,
    **fields: Any,
) -> ProgrammeSchedule:
    defaults: dict[str, Any] = {
        "rule": "daily",
        "starts_on": datetime.date(2025, 7, 1),
        "at": datetime.time(6, 0),
    }
    defaults.update(fields)
    schedule = ProgrammeSchedule.objects.create(
        item=item, area=area or item.area, **defaults
    )
    schedule.target_areas.set(targets)
    return schedule
