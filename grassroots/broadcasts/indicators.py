"""The indicator "essential information on the source information system".

Denominator: essential items issued in the area and disseminated in the
period — every essential bulletin published, every essential programme item
without a bulletin (an uploaded recording, a relay) that a cluster aired, and
every essential board-only item a board showed. Numerator: the bulletins,
which were written and approved on the system.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.boards.coverage import essential_items_shown
from grassroots.indicators import catalogue
from grassroots.indicators.registry import Indicator, Measure, register
from grassroots.loudspeakers.models import PlayEvent

from .models import ProgrammeItem


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end, datetime.time.max, tzinfo=zone),
    )


def essential_bulletins(
    area: Area | None, start: datetime.date, end: datetime.date
) -> int:
    """Return how many essential bulletins issued in ``area`` were first published."""
    from grassroots.bulletins.models import Bulletin

    low, high = _bounds(start, end)
    bulletins = Bulletin.objects.filter(
        is_essential=True, first_published_at__gte=low, first_published_at__lte=high
    )
    if area is not None:
        bulletins = bulletins.filter(issuing_area__path__under=area.path)
    return bulletins.count()


def essential_items_aired(
    area: Area | None, start: datetime.date, end: datetime.date
) -> int:
    """Return how many essential programme items without a bulletin were aired."""
    low, high = _bounds(start, end)
    played = set()
    events = PlayEvent.objects.filter(
        kind=PlayEvent.Kind.FINISHED, at__gte=low, at__lte=high
    ).filter(item__regex=r"^(rec|relay):[0-9]+:")
    for item_id in events.values_list("item", flat=True).distinct():
        played.add(int(item_id.split(":", 2)[1]))
    if not played:
        return 0
    items = ProgrammeItem.objects.filter(
        pk__in=played, essential=True, bulletin__isnull=True
    )
    if area is not None:
        items = items.filter(area__path__under=area.path)
    return items.count()


@register
class SourceInformation(Indicator):
    spec = catalogue.SOURCE_INFORMATION

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        bulletins = essential_bulletins(area, start, end)
        aired = essential_items_aired(area, start, end)
        shown = essential_items_shown(area, start, end)
        return self.measure(
            bulletins,
            bulletins + aired + shown,
            programme_items=aired,
            board_items=shown,
        )
