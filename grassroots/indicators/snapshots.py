"""Fill and invalidate the monthly snapshots the dashboard reads.

The periodic job fills every closed month that has no snapshot yet (so the
work is incremental: one month of new rows per month), and re-computes the
last few closed months each night, because flows keep changing after a month
closes (feedback answered late, proof of play uploaded by a device that was
offline). Apps whose actions change the past of a stock indicator (a training
completion recorded late) call :func:`mark_stale`, and the dashboard falls
back to live computation until the job refills the month.

The open month is kept apart as provisional snapshots (the month so far),
re-computed every :func:`provisional_minutes` by :func:`refresh_provisional`:
a province's or the country's "this year" then reads rows too. Pages say when
the provisional figures were computed and can ask for live ones.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grassroots.areas.models import Area

from . import periods, registry
from .models import ProvisionalSnapshot, Snapshot
from .service import SNAPSHOT_LEVELS

logger = logging.getLogger(__name__)

#: How far back the job fills snapshots the first time.
HISTORY_MONTHS = 24
#: Closed months re-computed every night, whatever they hold.
RESTATE_MONTHS = 3


def provisional_minutes() -> int:
    """Return how often the open month is re-computed (minutes; 0: never, always live)."""
    return settings.GRASSROOTS_INDICATORS_PROVISIONAL_MINUTES


def provisional_max_age() -> datetime.timedelta | None:
    """Return how old provisional rows may be and still be read (None: never read).

    Twice the period and a minute: a run that is late or slow does not send
    every page back to live computation at once.
    """
    minutes = provisional_minutes()
    if minutes <= 0:
        return None
    return datetime.timedelta(minutes=2 * minutes + 1)


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
    codes = list(codes)
    rows = Snapshot.objects.filter(indicator__in=codes, area_path__in=ancestors)
    if since is not None:
        rows = rows.filter(month__gte=periods.month_start(since))
    deleted, _ = rows.delete()
    # The open month always includes the change.
    provisional, _ = ProvisionalSnapshot.objects.filter(
        indicator__in=codes, area_path__in=ancestors
    ).delete()
    return deleted + provisional


def _indicators(codes: Iterable[str] | None) -> list[registry.Indicator]:
    """Return the measured indicators, or those of ``codes``."""
    wanted = set(codes) if codes is not None else None
    return [i for i in registry.measured() if wanted is None or i.spec.code in wanted]


def _snapshot_areas() -> list[Area]:
    return list(Area.objects.filter(level__in=SNAPSHOT_LEVELS, is_active=True))


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
    indicators = _indicators(codes)
    areas = _snapshot_areas()
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


def provisional_due() -> bool:
    """Return whether the provisional snapshots are older than the refresh period."""
    minutes = provisional_minutes()
    if minutes <= 0:
        return False
    oldest = (
        ProvisionalSnapshot.objects.filter(through=periods.today())
        .order_by("computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )
    return oldest is None or timezone.now() - oldest >= datetime.timedelta(
        minutes=minutes
    )


def refresh_provisional(
    *,
    codes: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-compute every province's and commune's open month so far.

    Return the number of rows written. Each indicator's rows are replaced in
    one transaction, so a page reads either the old set or the new one.
    """
    indicators = _indicators(codes)
    areas = _snapshot_areas()
    today = periods.today()
    month = periods.month_start(today)
    written = 0
    for indicator in indicators:
        code = indicator.spec.code
        applicable = [a for a in areas if a.level in indicator.spec.levels]
        started = timezone.now()
        measures = indicator.compute_many(applicable, month, today)
        rows = [
            ProvisionalSnapshot(
                indicator=code,
                area=area,
                area_path=area.path,
                month=month,
                through=today,
                numerator=Decimal(measures[area.pk].numerator),
                denominator=Decimal(measures[area.pk].denominator),
                # When the computation began: a change made while it ran may
                # be missing, and the page must not claim a later time.
                computed_at=started,
            )
            for area in applicable
        ]
        with transaction.atomic():
            ProvisionalSnapshot.objects.filter(indicator=code).delete()
            ProvisionalSnapshot.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
        if progress:
            progress(1)
    logger.info("Provisional indicator snapshots written: %s", written)
    return written
