"""Proof of display, summed up for the coverage report and the indicators.

The broadcasts app's dissemination report (issue 5) and the indicator of
essential information disseminated read these functions; they read the
per-bulletin summary rows (``BulletinDisplay``), never the raw events.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone

from grassroots.areas.models import Area, Level

from .models import BulletinDisplay, DisplayEvent, ShownKind


@dataclass(frozen=True)
class BoardDisplay:
    """One board that showed a bulletin."""

    board_id: int
    code: str
    name: str
    area_id: int
    area_name: str
    hamlet_id: int | None
    commune_id: int | None
    at_office: bool
    first_shown_at: datetime.datetime
    last_shown_at: datetime.datetime
    total_seconds: float
    times: int


@dataclass
class AreaDisplay:
    """The boards of one commune or hamlet that showed a bulletin, added up."""

    area_id: int
    name: str
    boards: int = 0
    first_shown_at: datetime.datetime | None = None
    last_shown_at: datetime.datetime | None = None
    total_seconds: float = 0.0

    def add(self, row: BoardDisplay) -> None:
        self.boards += 1
        self.total_seconds += row.total_seconds
        if self.first_shown_at is None or row.first_shown_at < self.first_shown_at:
            self.first_shown_at = row.first_shown_at
        if self.last_shown_at is None or row.last_shown_at > self.last_shown_at:
            self.last_shown_at = row.last_shown_at


@dataclass
class Displays:
    """Where and how long a bulletin was shown on boards."""

    bulletin_id: int
    boards: list[BoardDisplay] = field(default_factory=list)
    communes: dict[int, AreaDisplay] = field(default_factory=dict)
    hamlets: dict[int, AreaDisplay] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(b.total_seconds for b in self.boards)

    @property
    def first_shown_at(self) -> datetime.datetime | None:
        return min((b.first_shown_at for b in self.boards), default=None)

    @property
    def last_shown_at(self) -> datetime.datetime | None:
        return max((b.last_shown_at for b in self.boards), default=None)


def displays_for(bulletin_id: int) -> Displays:
    """Return every board that showed the bulletin, by board, hamlet and commune.

    A board at a hamlet counts for that hamlet and its commune; a board at a
    commune (its People's Committee office, or another public place in the
    commune) counts for the commune.
    """
    rows = BulletinDisplay.objects.filter(bulletin_id=bulletin_id).select_related(
        "board__area__parent"
    )
    result = Displays(bulletin_id=bulletin_id)
    for row in rows.order_by("first_shown_at"):
        board, area = row.board, row.board.area
        hamlet = area if area.level == Level.HAMLET else None
        commune = (
            area if area.level == Level.COMMUNE else (area.parent if hamlet else None)
        )
        item = BoardDisplay(
            board_id=board.pk,
            code=board.code,
            name=board.name,
            area_id=area.pk,
            area_name=area.name,
            hamlet_id=hamlet.pk if hamlet else None,
            commune_id=commune.pk if commune else None,
            at_office=board.place == "office",
            first_shown_at=row.first_shown_at,
            last_shown_at=row.last_shown_at,
            total_seconds=row.total_ms / 1000,
            times=row.times,
        )
        result.boards.append(item)
        if commune is not None:
            result.communes.setdefault(
                commune.pk, AreaDisplay(commune.pk, commune.name)
            ).add(item)
        if hamlet is not None:
            result.hamlets.setdefault(
                hamlet.pk, AreaDisplay(hamlet.pk, hamlet.name)
            ).add(item)
    return result


def reached_areas(bulletin_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return, per bulletin, the ids of the areas (hamlets and communes) of boards that showed it.

    For the indicator of essential information disseminated: a hamlet is
    reached by a board in it; a commune-wide target is reached by a board in
    the commune (``docs/indicators.md``).
    """
    reached: dict[int, set[int]] = {}
    rows = BulletinDisplay.objects.filter(
        bulletin_id__in=list(bulletin_ids)
    ).values_list(
        "bulletin_id", "board__area_id", "board__area__parent_id", "board__area__level"
    )
    for bulletin_id, area_id, parent_id, level in rows:
        found = reached.setdefault(bulletin_id, set())
        found.add(area_id)
        if level == Level.HAMLET and parent_id:
            found.add(parent_id)
    return reached


def _essential_shown(start: datetime.date, end: datetime.date) -> QuerySet:
    tz = timezone.get_current_timezone()
    return DisplayEvent.objects.filter(
        kind=ShownKind.ITEM,
        item__is_essential=True,
        started_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        started_at__lte=datetime.datetime.combine(end, datetime.time.max, tzinfo=tz),
    )


def essential_items_shown(
    area: Area | None, start: datetime.date, end: datetime.date
) -> int:
    """Return how many essential board-only items boards of ``area`` showed in the period.

    They count in the denominator of "essential information on the source
    information system" (they are not bulletins of the system).
    """
    events = _essential_shown(start, end)
    if area is not None:
        events = events.filter(board__area__path__under=area.path)
    return events.values("item_id").distinct().count()


def essential_items_shown_where(
    start: datetime.date, end: datetime.date
) -> list[tuple[int, str]]:
    """Return (board item id, board area path) for every essential board-only item shown.

    One query for a whole drill-down table; the caller groups by area.
    """
    return list(
        _essential_shown(start, end)
        .values_list("item_id", "board__area__path")
        .distinct()
    )


def board_summary(board_id: int, since: datetime.datetime) -> list[dict]:
    """Return what a board showed since ``since``: per key, times and seconds."""
    rows = (
        DisplayEvent.objects.filter(board_id=board_id, started_at__gte=since)
        .values("key", "kind")
        .annotate(
            title=Max("title"),
            times=Count("id"),
            total_ms=Sum("duration_ms"),
            first=Min("started_at"),
            last=Max("started_at"),
        )
        .order_by("-total_ms")
    )
    return [{**row, "seconds": (row["total_ms"] or 0) / 1000} for row in rows]
