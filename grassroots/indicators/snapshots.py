"""Fill and invalidate the monthly snapshots the dashboard reads.

The periodic job fills every closed month that has no snapshot yet (so the
work is incremental: one month of new rows per month), and re-computes the
last few closed months each night, because flows keep changing after a month
closes (feedback answered late, proof of play uploaded by a device that was
offline). Apps whose actions change the past of a stock indicator (a training
completion recorded late) call :func:`mark_stale`, and the dashboard falls
back to live computation until the job refills the month.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grassroots.areas.models import Area

from . import periods, registry
from .models import Snapshot
from .service import SNAPSHOT_LEVELS

logger = logging.getLogger(__name__)

#: How far back the job fills snapshots the first time.
HISTORY_MONTHS = 24
#: Closed months re-computed every night, whatever they hold.
RESTATE_MONTHS = 3


def mark_stale(
    codes: Iterable[str], area: Area | str, since: datetime.date | None = None
) -> int:
    """Drop the snapshots of ``area`` and the areas above it from ``since``'s month.

    Return how many were dropped. The dashboard computes those months live
    until the next run of the job.
    """
    path = area if isinstance(area, str) else area.path
    parts = path.rstrip("/").split("/")
    ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    rows = Snapshot.objects.filter(indicator__in=list(codes), area_path__in=ancestors)
    if since is not None:
        rows = rows.filter(month__gte=periods.month_start(since))
    deleted, _ = rows.delete()
    return deleted


def closed_months(count: int) -> list[datetime.date]:
    """Return the first days of the last ``count`` closed months, oldest first."""
    this_month = periods.month_start(periods.today())
    return [periods.add_months(this_month, -i) for i in range(count, 0, -1)]


def refresh(
    *,
    history: int = HISTORY_MONTHS,
    restate: int = 0,
    codes: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Compute the missing snapshots of the last ``history`` closed months.

    The last ``restate`` closed months are re-computed even where present.
    Return the number of snapshots written.
    """
    wanted = set(codes) if codes is not None else None
    indicators = [
        i for i in registry.measured() if wanted is None or i.spec.code in wanted
    ]
    areas = list(Area.objects.filter(level__in=SNAPSHOT_LEVELS, is_active=True))
    months = closed_months(history)
    restated = set(months[-restate:]) if restate else set()
    written = 0
    for indicator in indicators:
        applicable = [a for a in areas if a.level in indicator.spec.levels]
        for month in months:
            written += _refresh_month(indicator, applicable, month, month in restated)
            if progress:
                progress(1)
    logger.info("Indicator snapshots written: %s", written)
    return written


def _refresh_month(
    indicator: registry.Indicator,
    areas: list[Area],
    month: datetime.date,
    restate: bool,
) -> int:
    code = indicator.spec.code
    if restate:
        todo = areas
    else:
        have = set(
            Snapshot.objects.filter(indicator=code, month=month).values_list(
                "area_id", flat=True
            )
        )
        todo = [a for a in areas if a.pk not in have]
    if not todo:
        return 0
    measures = indicator.compute_many(todo, month, periods.month_end(month))
    now = timezone.now()
    rows = [
        Snapshot(
            indicator=code,
            area=area,
            area_path=area.path,
            month=month,
            numerator=Decimal(measures[area.pk].numerator),
            denominator=Decimal(measures[area.pk].denominator),
            computed_at=now,
        )
        for area in todo
    ]
    with transaction.atomic():
        Snapshot.objects.filter(
            indicator=code, month=month, area_id__in=[a.pk for a in todo]
        ).delete()
        Snapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
