"""The indicator "essential information on the source information system".

Denominator: essential items issued in the area and disseminated in the
period — every essential bulletin published, every essential programme item
without a bulletin (an uploaded recording, a relay) that a cluster aired, and
every essential board-only item a board showed. Numerator: the bulletins,
which were written and approved on the system.

Each count is read as (item, area path) rows in one query for the period and
grouped by area in Python, so a drill-down table of a province's communes
costs three queries, not three per commune.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.boards.coverage import essential_items_shown_where
from grassroots.indicators import catalogue, service
from grassroots.indicators.registry import Indicator, Measure, register
from grassroots.loudspeakers.models import PlayEvent

from . import compiler
from .models import ProgrammeItem


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end, datetime.time.max, tzinfo=zone),
    )


def essential_bulletins_where(
    start: datetime.date, end: datetime.date
) -> list[tuple[int, str]]:
    """Return (bulletin id, issuing area path) of essential bulletins first published."""
    from grassroots.bulletins.models import Bulletin

    low, high = _bounds(start, end)
    return list(
        Bulletin.objects.filter(
            is_essential=True, first_published_at__gte=low, first_published_at__lte=high
        ).values_list("pk", "issuing_area__path")
    )


def essential_items_aired_where(
    start: datetime.date, end: datetime.date
) -> list[tuple[int, str]]:
    """Return (programme item id, area path) of essential items without a bulletin aired.

    The prefix filters use the play events' item index; 10 million events
    are not scanned by a regular expression.
    """
    low, high = _bounds(start, end)
    events = PlayEvent.objects.filter(
        Q(item__startswith=compiler.OWN_ITEM_PREFIXES[0])
        | Q(item__startswith=compiler.OWN_ITEM_PREFIXES[1]),
        kind=PlayEvent.Kind.FINISHED,
        at__gte=low,
        at__lte=high,
    )
    played = set()
    for item_id in events.values_list("item", flat=True).distinct():
        item = compiler.programme_item_of(item_id)
        if item is not None:
            played.add(item)
    if not played:
        return []
    return list(
        ProgrammeItem.objects.filter(
            pk__in=played, essential=True, bulletin__isnull=True
        ).values_list("pk", "area__path")
    )


def _rows(start: datetime.date, end: datetime.date) -> tuple[list, list, list]:
    return service.shared(
        ("source_information", start, end),
        lambda: (
            essential_bulletins_where(start, end),
            essential_items_aired_where(start, end),
            essential_items_shown_where(start, end),
        ),
    )


def _distinct_per_area(
    rows: Iterable[tuple[int, str]], areas: Sequence[Area]
) -> dict[int, int]:
    rows = list(rows)
    buckets = Indicator.bucket((path for _key, path in rows), areas)
    found: dict[int, set[int]] = {area.pk: set() for area in areas}
    for key, path in rows:
        for area_id in buckets[path]:
            found[area_id].add(key)
    return {area_id: len(keys) for area_id, keys in found.items()}


@register
class SourceInformation(Indicator):
    spec = catalogue.SOURCE_INFORMATION

    def _measure(self, bulletins: int, aired: int, shown: int) -> Measure:
        return self.measure(
            bulletins,
            bulletins + aired + shown,
            programme_items=aired,
            board_items=shown,
        )

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        if area is not None:
            return self.compute_many([area], start, end)[area.pk]
        bulletins, aired, shown = _rows(start, end)
        return self._measure(
            len({key for key, _path in bulletins}),
            len({key for key, _path in aired}),
            len({key for key, _path in shown}),
        )

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        bulletins, aired, shown = _rows(start, end)
        counts = [_distinct_per_area(rows, areas) for rows in (bulletins, aired, shown)]
        return {
            area.pk: self._measure(*(count[area.pk] for count in counts))
            for area in areas
        }
