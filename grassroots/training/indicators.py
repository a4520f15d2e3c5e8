"""The indicator "share of officials trained", computed from the training roster."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area
from grassroots.indicators import catalogue
from grassroots.indicators.registry import Indicator, Measure, register
from grassroots.indicators.reports import Section, register_section

from .models import IT_TOPICS, Attendance, Official, Status, Topic


def _flagged(end: datetime.date) -> QuerySet[Official]:
    """Return the officials counted on ``end``, with how many courses of each half
    they completed by then.

    One grouped join over the attendance table: at national scale it is much
    cheaper than two correlated lookups per person.
    """
    done = Q(attendances__status=Status.COMPLETED, attendances__completed_on__lte=end)
    return (
        Official.objects.filter(needs_training=True)
        .on_roster(end)
        .annotate(
            professional=Count(
                "attendances",
                filter=done & Q(attendances__session__course__topic=Topic.PROFESSIONAL),
            ),
            it=Count(
                "attendances",
                filter=done & Q(attendances__session__course__topic__in=IT_TOPICS),
            ),
        )
        .order_by()
    )


#: Beyond this many provinces, reading every row beats OR-ing prefix filters.
MAX_PREFIXES = 8


def _province_paths(areas: Sequence[Area]) -> set[str]:
    return {a.path.split("/", 1)[0] + "/" for a in areas}


@register
class OfficialsTrained(Indicator):
    spec = catalogue.OFFICIALS_TRAINED

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        officials = self.under(_flagged(end), area)
        total = professional = it = both = 0
        for has_professional, has_it in officials.values_list("professional", "it"):
            total += 1
            professional += has_professional > 0
            it += has_it > 0
            both += has_professional > 0 and has_it > 0
        return self.measure(both, total, professional=professional, it=it)

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        # One query for all areas: filter by their provinces (a handful of
        # prefixes, whatever the number of communes), then bucket by path.
        if not areas:
            return {}
        rows = _flagged(end)
        provinces = _province_paths(areas)
        if len(provinces) <= MAX_PREFIXES:
            rows = rows.filter(area_q(provinces, "area__path"))
        rows = rows.values_list("area__path", "professional", "it")
        counts = {a.pk: [0, 0, 0, 0] for a in areas}
        rows = list(rows)
        owners = self.bucket((path for path, _p, _i in rows), areas)
        for path, has_professional, has_it in rows:
            for owner in owners[path]:
                c = counts[owner]
                c[0] += 1
                c[1] += has_professional > 0
                c[2] += has_it > 0
                c[3] += has_professional > 0 and has_it > 0
        return {
            pk: self.measure(c[3], c[0], professional=c[1], it=c[2])
            for pk, c in counts.items()
        }


@register_section
def sessions_in_period(
    area: Area | None, start: datetime.date, end: datetime.date
) -> Section:
    """List the sessions held in the period that people of ``area`` attended."""
    people = Attendance.objects.filter(
        session__starts_on__gte=start, session__starts_on__lte=end
    )
    if area is not None:
        people = people.filter(official__area__path__under=area.path)
    rows = (
        people.values(
            "session_id",
            "session__course__title",
            "session__course__topic",
            "session__starts_on",
            "session__ends_on",
            "session__place",
            "session__trainer",
        )
        .annotate(
            attended=Count("id", filter=~Q(status=Status.ABSENT)),
            completed=Count("id", filter=Q(status=Status.COMPLETED)),
        )
        .order_by("session__starts_on", "session_id")
    )
    topics = dict(Topic.choices)
    table = [
        [
            row["session__course__title"],
            str(topics.get(row["session__course__topic"], "")),
            f"{row['session__starts_on']:%d/%m/%Y}–{row['session__ends_on']:%d/%m/%Y}",
            row["session__place"],
            row["session__trainer"],
            row["attended"],
            row["completed"],
        ]
        for row in rows
    ]
    return Section(
        title=_("Training sessions in the period"),
        headers=[
            _("Course"),
            _("Topic"),
            _("Dates"),
            _("Place"),
            _("Trainer"),
            _("Attended"),
            _("Completed"),
        ],
        rows=table,
        note=_(
            "People of the area who attended and who completed each session held in the period."
        ),
    )
