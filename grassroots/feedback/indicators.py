"""The brief's feedback indicators, computed from the feedback table.

``feedback_handled``: of the feedback received in the period (every channel,
merged duplicates once), the share answered or closed by the period's last
day. ``feedback_on_time``: of the feedback due in the period, or answered in
it with a later deadline, the share answered by its deadline. Definitions in
docs/indicators.md; figures for the console are in :mod:`.stats`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils import timezone

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area
from grassroots.indicators import catalogue
from grassroots.indicators.registry import Indicator, Measure, register

from .models import Feedback
from .stats import _bounds

#: Beyond this many provinces, reading every row beats OR-ing prefix filters.
MAX_PREFIXES = 8


def _narrowed(rows, areas: Sequence[Area]):
    provinces = {a.path.split("/", 1)[0] + "/" for a in areas}
    if len(provinces) <= MAX_PREFIXES:
        rows = rows.filter(area_q(provinces, "area__path"))
    return rows


class _FeedbackIndicator(Indicator):
    """Count (numerator, denominator) per row, then add them up per area."""

    def rows(self, start: datetime.date, end: datetime.date):
        raise NotImplementedError

    def counts(self, row, start, end) -> tuple[int, int]:
        raise NotImplementedError

    def _tally(self, rows: Iterable, start, end) -> tuple[int, int]:
        numerator = denominator = 0
        for row in rows:
            n, d = self.counts(row, start, end)
            numerator += n
            denominator += d
        return numerator, denominator

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        rows = self.under(self.rows(start, end), area)
        return self.measure(*self._tally(rows, start, end))

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        if not areas:
            return {}
        rows = list(_narrowed(self.rows(start, end), areas))
        owners = self.bucket((row[0] for row in rows), areas)
        totals = {a.pk: [0, 0] for a in areas}
        for row in rows:
            n, d = self.counts(row, start, end)
            for owner in owners[row[0]]:
                totals[owner][0] += n
                totals[owner][1] += d
        return {pk: self.measure(n, d) for pk, (n, d) in totals.items()}


@register
class FeedbackHandled(_FeedbackIndicator):
    spec = catalogue.FEEDBACK_HANDLED

    def rows(self, start, end):
        since, until = _bounds(start, end)
        return Feedback.objects.filter(
            received_at__gte=since, received_at__lt=until, merged_into=None
        ).values_list("area__path", "answered_at", "closed_at")

    def counts(self, row, start, end):
        _path, answered_at, closed_at = row
        until = _bounds(start, end)[1]
        done = (answered_at is not None and answered_at < until) or (
            closed_at is not None and closed_at < until
        )
        return int(done), 1


@register
class FeedbackOnTime(_FeedbackIndicator):
    spec = catalogue.FEEDBACK_ON_TIME

    def rows(self, start, end):
        since, until = _bounds(start, end)
        return Feedback.objects.filter(
            Q(due_date__gte=start, due_date__lte=end)
            | Q(answered_at__gte=since, answered_at__lt=until, due_date__gt=end),
            merged_into=None,
        ).values_list("area__path", "due_date", "answered_at")

    def counts(self, row, start, end):
        _path, due, answered_at = row
        on_time = (
            answered_at is not None and timezone.localtime(answered_at).date() <= due
        )
        return int(on_time), 1
