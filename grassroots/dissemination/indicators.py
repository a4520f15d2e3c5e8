"""The indicator "essential information disseminated", read from the coverage tables.

A bulletin counts for an area when it is essential, was published in the
period for loudspeakers or boards, and targets hamlets in the area; it is
disseminated there when every one of those hamlets has proof of play (a
cluster in the hamlet played it to the end: ``AreaCoverage``) or proof of
display (``boards.coverage.reached_areas``: a board in the hamlet, or, for a
target wider than the hamlet, a board of its commune). Withdrawn bulletins
are left out: they were taken back, nobody should air them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area
from grassroots.boards import coverage as boards_coverage
from grassroots.bulletins.models import Bulletin
from grassroots.bulletins.models.bulletin import Status
from grassroots.indicators import catalogue
from grassroots.indicators.registry import Indicator, Measure, register

from .models import AreaCoverage


def _bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ),
    )


def essential_bulletins(
    start: datetime.date, end: datetime.date
) -> dict[int, list[str]]:
    """Return the essential bulletins published in the period, with their target paths."""
    low, high = _bounds(start, end)
    rows = (
        Bulletin.objects.filter(
            is_essential=True, first_published_at__gte=low, first_published_at__lt=high
        )
        .filter(Q(on_loudspeakers=True) | Q(on_boards=True))
        .exclude(status=Status.WITHDRAWN)
        .values_list("pk", "issuing_area__path")
    )
    issuing = dict(rows)
    targets: dict[int, list[str]] = defaultdict(list)
    through = Bulletin.target_areas.through
    for bulletin_id, path in through.objects.filter(
        bulletin_id__in=list(issuing)
    ).values_list("bulletin_id", "area__path"):
        targets[bulletin_id].append(path)
    return {pk: targets.get(pk) or [path] for pk, path in issuing.items()}


def _ancestors(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@register
class EssentialDisseminated(Indicator):
    spec = catalogue.ESSENTIAL_DISSEMINATED

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        # The whole country: an unsaved area whose path is every path's prefix.
        unit = area if area is not None else Area(pk=0, path="")
        return self.compute_many([unit], start, end)[unit.pk]

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        if not areas:
            return {}
        bulletins = essential_bulletins(start, end)
        by_target: dict[str, list[int]] = defaultdict(list)
        for pk, paths in bulletins.items():
            for path in paths:
                by_target[path].append(pk)
        # The hamlets of the areas asked for (by province: a handful of prefixes).
        hamlets = Area.objects.hamlets().active()
        provinces = {a.path.split("/", 1)[0] + "/" for a in areas if a.path}
        if all(a.path for a in areas):
            hamlets = hamlets.filter(area_q(provinces, "path"))
        targeted: dict[int, list[tuple[int, int | None, str, bool]]] = defaultdict(list)
        for pk, parent_id, path in hamlets.values_list("pk", "parent_id", "path"):
            for ancestor in _ancestors(path):
                for bulletin_id in by_target.get(ancestor, ()):
                    targeted[bulletin_id].append(
                        (pk, parent_id, path, ancestor == path)
                    )
        ids = list(targeted)
        played = set(
            AreaCoverage.objects.filter(
                bulletin_id__in=ids, finished__gt=0
            ).values_list("bulletin_id", "area_id")
        )
        shown = boards_coverage.reached_areas(ids)
        owners = self.bucket(
            (path for rows in targeted.values() for _h, _p, path, _s in rows), areas
        )
        # Per area: bulletin → reached every targeted hamlet so far.
        state: dict[int, dict[int, bool]] = {a.pk: {} for a in areas}
        for bulletin_id, rows in targeted.items():
            boards = shown.get(bulletin_id, set())
            for hamlet_id, parent, path, is_target in rows:
                heard = (bulletin_id, hamlet_id) in played
                seen = hamlet_id in boards or (
                    not is_target and parent is not None and parent in boards
                )
                for owner in owners[path]:
                    done = state[owner]
                    done[bulletin_id] = done.get(bulletin_id, True) and (heard or seen)
        result = {}
        for area in areas:
            done = state[area.pk]
            reached = sum(1 for ok in done.values() if ok)
            result[area.pk] = self.measure(reached, len(done))
        return result
