"""Read the indicators for an area and a period: snapshots where they hold,
live computation for the rest.

The dashboard, the ``grassroots indicators`` command and the exports all call
:func:`results`, so they always show the same numbers.

Closed months of provinces and communes come from :class:`Snapshot` rows
(one row per indicator, area and month); the open month up to today comes
from :class:`ProvisionalSnapshot` rows the worker refreshes every few
minutes; partial months at the edges of a period, hamlets, and anything not
(or no longer) snapshotted are computed live. A stock indicator is read at the
period's last day; a flow indicator adds up its months.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from grassroots.areas.models import Area, Level

from . import periods, registry
from .models import ProvisionalSnapshot, Snapshot
from .registry import Entry, Indicator, Kind, Measure, Spec, Status

#: Levels whose closed months are kept as snapshots.
SNAPSHOT_LEVELS = (Level.PROVINCE, Level.COMMUNE)
TREND_MONTHS = 12


_memo: ContextVar[dict | None] = ContextVar("grassroots_indicator_memo", default=None)
_live_only: ContextVar[bool] = ContextVar("grassroots_indicator_live", default=False)


@contextlib.contextmanager
def reading(live: bool = False) -> Iterator[None]:
    """Share live computations inside the block (one page, one export, one command).

    The dashboard asks for the same live numbers several times (the value, the
    trend's current month, the table of units below); inside a reading each is
    computed once. ``live`` computes the open month rather than reading the
    provisional snapshots (a person who wants the figures of this minute).
    """
    token = _memo.set({})
    live_token = _live_only.set(live)
    try:
        yield
    finally:
        _live_only.reset(live_token)
        _memo.reset(token)


def provisional_as_of() -> datetime.datetime | None:
    """Return when the oldest provisional figures read in this reading were computed."""
    memo = _memo.get()
    return None if memo is None else memo.get("provisional_as_of")


def shared(key: tuple, compute: Callable[[], Any]) -> Any:
    """Return ``compute()``, once per reading for ``key``.

    For the data several indicators read alike (the fleet on a day serves
    three of them); outside a reading it is computed each time.
    """
    memo = _memo.get()
    if memo is None:
        return compute()
    key = ("shared", *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _live(
    indicator: Indicator,
    areas: Sequence[Area],
    start: datetime.date,
    end: datetime.date,
) -> dict[int, Measure]:
    memo = _memo.get()
    if memo is None:
        return indicator.compute_many(areas, start, end)
    flow = indicator.spec.kind == Kind.FLOW
    key = (indicator.spec.code, tuple(sorted(a.pk for a in areas)), flow and start, end)
    if key not in memo:
        memo[key] = indicator.compute_many(areas, start, end)
    return memo[key]


def _number(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value.normalize()


def _snapshots(
    indicator: Indicator, area_ids: Sequence[int], months: Sequence[datetime.date]
) -> dict[tuple[int, datetime.date], Measure]:
    if not area_ids or not months:
        return {}
    rows = Snapshot.objects.filter(
        indicator=indicator.spec.code, area_id__in=area_ids, month__in=months
    ).values_list("area_id", "month", "numerator", "denominator")
    scale = indicator.spec.scale
    return {
        (area_id, month): Measure(_number(n), _number(d), scale)
        for area_id, month, n, d in rows
    }


def _provisional_rows(
    code: str, ids: list[int], end: datetime.date, max_age: datetime.timedelta
) -> dict[tuple[str, int], tuple[Decimal, Decimal, datetime.datetime]]:
    """Return the provisional rows of ``ids`` through ``end`` at most ``max_age`` old.

    Inside a reading, every indicator's rows for the same areas come in one
    query (a page asks for nine indicators of the same units).
    """
    memo = _memo.get()
    key = ("provisional", tuple(sorted(ids)), end)
    if memo is not None and key in memo:
        return memo[key]
    rows = ProvisionalSnapshot.objects.filter(
        area_id__in=ids,
        month=periods.month_start(end),
        through=end,
        computed_at__gte=timezone.now() - max_age,
    )
    if memo is None:
        rows = rows.filter(indicator=code)
    found = {
        (indicator, area_id): (n, d, computed_at)
        for indicator, area_id, n, d, computed_at in rows.values_list(
            "indicator", "area_id", "numerator", "denominator", "computed_at"
        )
    }
    if memo is not None:
        memo[key] = found
    return found


def _provisional(
    indicator: Indicator, areas: Sequence[Area], end: datetime.date
) -> dict[int, Measure]:
    """Return the open month up to ``end`` where the worker's rows are fresh."""
    from .snapshots import provisional_max_age

    max_age = provisional_max_age()
    ids = [a.pk for a in areas if a.level in SNAPSHOT_LEVELS]
    if max_age is None or not ids or _live_only.get():
        return {}
    code = indicator.spec.code
    rows = _provisional_rows(code, ids, end, max_age)
    scale = indicator.spec.scale
    found = {}
    oldest = None
    for area_id in ids:
        row = rows.get((code, area_id))
        if row is None:
            continue
        n, d, computed_at = row
        found[area_id] = Measure(_number(n), _number(d), scale)
        oldest = computed_at if oldest is None else min(oldest, computed_at)
    memo = _memo.get()
    if memo is not None and oldest is not None:
        held = memo.get("provisional_as_of")
        memo["provisional_as_of"] = oldest if held is None else min(held, oldest)
    return found


def _open_month(
    indicator: Indicator,
    areas: Sequence[Area],
    start: datetime.date,
    end: datetime.date,
) -> dict[int, Measure]:
    """Return ``start``–``end`` for each area, a part of the open month.

    From the provisional snapshots where the part is the whole month so far
    (or the state today, for a stock); computed live for the rest.
    """
    found: dict[int, Measure] = {}
    whole = indicator.spec.kind == Kind.STOCK or start == periods.month_start(end)
    if whole and end == periods.today():
        found = _provisional(indicator, areas, end)
    missing = [a for a in areas if a.pk not in found]
    if missing:
        found.update(_live(indicator, missing, start, end))
    return found


def _full_closed_months(
    start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    return [
        m
        for m in periods.months(start, end)
        if m >= start and periods.month_end(m) <= end and periods.is_closed(m)
    ]


def measure_many(
    indicator: Indicator,
    areas: Sequence[Area],
    start: datetime.date,
    end: datetime.date,
) -> dict[int, Measure]:
    """Return the measure of each area (by id) for the period."""
    snap_ids = [a.pk for a in areas if a.level in SNAPSHOT_LEVELS]
    found: dict[int, Measure] = {}
    if indicator.spec.kind == Kind.STOCK:
        month = periods.month_start(end)
        if end == periods.month_end(end) and periods.is_closed(month):
            found = {
                area_id: m
                for (area_id, _m), m in _snapshots(indicator, snap_ids, [month]).items()
            }
        elif not periods.is_closed(month):
            return _open_month(indicator, areas, start, end)
    else:
        full = _full_closed_months(start, end)
        if full and snap_ids:
            sums = (
                Snapshot.objects.filter(
                    indicator=indicator.spec.code, area_id__in=snap_ids, month__in=full
                )
                .values("area_id")
                .annotate(n=Sum("numerator"), d=Sum("denominator"), c=Count("id"))
            )
            scale = indicator.spec.scale
            found = {
                row["area_id"]: Measure(_number(row["n"]), _number(row["d"]), scale)
                for row in sums
                if row["c"] == len(full)
            }
            covered = [a for a in areas if a.pk in found]
            edges = []
            if full[0] > start:
                edges.append((start, full[0] - datetime.timedelta(days=1)))
            after = periods.month_end(full[-1]) + datetime.timedelta(days=1)
            if after <= end:
                edges.append((after, end))
            for edge_start, edge_end in edges:
                if covered:
                    extra = (
                        _live(indicator, covered, edge_start, edge_end)
                        if periods.is_closed(periods.month_start(edge_end))
                        else _open_month(indicator, covered, edge_start, edge_end)
                    )
                    for area_id, m in extra.items():
                        found[area_id] = found[area_id] + m
        elif periods.month_start(start) == periods.month_start(end) and not (
            periods.is_closed(periods.month_start(end))
        ):
            return _open_month(indicator, areas, start, end)
    missing = [a for a in areas if a.pk not in found]
    if missing:
        found.update(_live(indicator, missing, start, end))
    return found


def provinces() -> list[Area]:
    return list(Area.objects.provinces().active().order_by("path"))


def measure(
    indicator: Indicator,
    area: Area | None,
    start: datetime.date,
    end: datetime.date,
) -> Measure:
    """Return the measure for one area; ``None`` is the whole country."""
    if area is not None:
        return measure_many(indicator, [area], start, end)[area.pk]
    total = Measure(0, 0, indicator.spec.scale)
    for m in measure_many(indicator, provinces(), start, end).values():
        total = total + m
    return total


@dataclass(frozen=True)
class Result:
    """One indicator's reading for an area and period, ready to show or export."""

    spec: Spec
    available: bool
    measure: Measure | None
    end: datetime.date

    @property
    def value(self) -> Decimal | None:
        return self.measure.value if self.measure is not None else None

    @property
    def target(self) -> Decimal | None:
        return self.spec.target_for(self.end)

    @property
    def status(self) -> str:
        return self.spec.status(self.value, self.end)

    @property
    def status_label(self) -> str:
        if not self.available:
            return str(_NOT_MEASURED)
        return str(Status(self.status).label)

    def as_dict(self) -> dict[str, Any]:
        def num(x):
            return None if x is None else float(x)

        return {
            "code": self.spec.code,
            "name": str(self.spec.name),
            "unit": self.spec.unit,
            "kind": self.spec.kind,
            "measured": self.available,
            "value": num(self.value),
            "numerator": num(self.measure.numerator) if self.measure else None,
            "denominator": num(self.measure.denominator) if self.measure else None,
            "numerator_label": str(self.spec.numerator_label),
            "denominator_label": str(self.spec.denominator_label),
            "target": num(self.target),
            "target_2025": num(self.spec.target_2025),
            "target_2030": num(self.spec.target_2030),
            "status": self.status if self.available else "not_measured",
            "needs": None if self.available else str(self.spec.needs),
        }


_NOT_MEASURED = gettext_lazy("not measured yet")


def applies(spec: Spec, area: Area | None) -> bool:
    return area is None or area.level in spec.levels


def results(
    area: Area | None, start: datetime.date, end: datetime.date
) -> list[Result]:
    """Return every indicator of the catalogue for ``area`` and the period."""
    out = []
    for entry in registry.entries():
        if not applies(entry.spec, area):
            continue
        m = (
            measure(entry.indicator, area, start, end)
            if entry.indicator is not None
            else None
        )
        out.append(Result(entry.spec, entry.available, m, end))
    return out


def children_of(area: Area | None) -> list[Area]:
    """Return the units one level below ``area`` (provinces below the country)."""
    if area is None:
        return provinces()
    return list(area.children.filter(is_active=True).order_by("name"))


def breakdown(
    area: Area | None, start: datetime.date, end: datetime.date
) -> tuple[list[Area], list[Entry], dict[str, dict[int, Result]]]:
    """Return the children of ``area`` and each measured indicator's result per child."""
    children = children_of(area)
    entries = [e for e in registry.entries() if e.indicator is not None]
    table: dict[str, dict[int, Result]] = {}
    for entry in entries:
        if entry.indicator is None:
            continue
        relevant = [c for c in children if c.level in entry.spec.levels]
        measures = (
            measure_many(entry.indicator, relevant, start, end) if relevant else {}
        )
        table[entry.spec.code] = {
            area_id: Result(entry.spec, True, m, end) for area_id, m in measures.items()
        }
    entries = [e for e in entries if table[e.spec.code]]
    return children, entries, table


def trend(
    indicator: Indicator,
    area: Area | None,
    end: datetime.date,
    count: int = TREND_MONTHS,
) -> list[tuple[datetime.date, Measure]]:
    """Return the measure of each of the ``count`` months up to ``end``.

    A stock indicator gives the state at each month's end (or at ``end`` for
    the last month); a flow indicator gives each month's own activity.
    """
    month_list = [
        periods.add_months(periods.month_start(end), -i)
        for i in range(count - 1, -1, -1)
    ]
    closed = [
        m for m in month_list if periods.is_closed(m) and periods.month_end(m) <= end
    ]
    ids = [a.pk for a in provinces()] if area is None else [area.pk]
    if area is not None and area.level not in SNAPSHOT_LEVELS:
        ids = []
    snaps = _snapshots(indicator, ids, closed)
    by_month: dict[datetime.date, list[Measure]] = defaultdict(list)
    for (_area_id, month), m in snaps.items():
        by_month[month].append(m)
    series = []
    for month in month_list:
        stop = min(periods.month_end(month), end)
        if len(by_month.get(month, ())) == len(ids) and ids:
            total = Measure(0, 0, indicator.spec.scale)
            for m in by_month[month]:
                total = total + m
        else:
            total = measure(indicator, area, month, stop)
        series.append((month, total))
    return series
