"""The indicator "share of officials trained", computed from the training roster."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext as _

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area
from grassroots.indicators import catalogue
from grassroots.indicators.registry import Indicator, Measure, register
from grassroots.indicators.reports import Section, register_section

from .models import IT_TOPICS, Attendance, Official, Status, Topic

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Completed(TypedDict):
    """The counts ``_flagged`` adds to each official."""

    professional: int
    it: int


def _flagged(end: datetime.date) -> QuerySet[WithAnnotations[Official, _Completed]]:
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


def _per_commune(end: datetime.date, provinces: set[str] | None) -> list[tuple]:
    """Return (commune path, people, professional, IT, both) per commune.

    People of a hamlet count in its commune; the path is cut after its second
    segment ("79/26734/H01/" → "79/26734/", "79/" stays "79/"). Completions
    are added up per person first (a small integer key), then people per
    commune, so the database never sorts the whole roster by path.
    """
    done = Q(status=Status.COMPLETED, completed_on__lte=end)
    results = (
        Attendance.objects.filter(done)
        .values(person=F("official_id"))
        .annotate(
            professional=Count(
                "id", filter=Q(session__course__topic=Topic.PROFESSIONAL)
            ),
            it=Count("id", filter=Q(session__course__topic__in=IT_TOPICS)),
        )
        .values_list("person", "professional", "it")
        .order_by()
    )
    first = StrIndex("area__path", Value("/"))
    cut = first + StrIndex(Substr("area__path", first + 1), Value("/"))
    people = Official.objects.filter(needs_training=True).on_roster(end)
    if provinces is not None:
        people = people.filter(area_q(provinces, "area__path"))
    pairs = people.annotate(
        person=F("pk"), prefix=Substr("area__path", 1, cut)
    ).values_list("person", "prefix")
    people_sql, people_params = pairs.query.sql_with_params()
    results_sql, results_params = results.query.sql_with_params()
    outer = (
        "SELECT o.prefix, COUNT(*),"
        " SUM(CASE WHEN x.professional > 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN x.it > 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN x.professional > 0 AND x.it > 0 THEN 1 ELSE 0 END)"
        " FROM (%s) o LEFT JOIN (%s) x"
        " ON x.person = o.person GROUP BY o.prefix"
    )
    with connection.cursor() as cursor:
        # Both inner queries are Django's own SQL, their parameters kept apart.
        cursor.execute(  # noqa: S608
            outer % (people_sql, results_sql), (*people_params, *results_params)
        )
        return [
            (path, n, p or 0, i or 0, b or 0) for path, n, p, i, b in cursor.fetchall()
        ]


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
        prefixes = _province_paths(areas)
        provinces: set[str] | None = prefixes
        if len(prefixes) <= MAX_PREFIXES:
            rows = rows.filter(area_q(prefixes, "area__path"))
        else:
            provinces = None
        counts = {a.pk: [0, 0, 0, 0] for a in areas}
        tallies: Iterable[tuple[Any, ...]]
        if all(a.path.count("/") <= 2 for a in areas):
            # Provinces and communes only: add people up per commune in the
            # database (3,321 rows for the country rather than every person).
            tallies = _per_commune(end, provinces)
        else:
            tallies = (
                (path, 1, int(p > 0), int(i > 0), int(p > 0 and i > 0))
                for path, p, i in rows.values_list("area__path", "professional", "it")
            )
        counted = list(tallies)
        owners = self.bucket((row[0] for row in counted), areas)
        for path, *numbers in counted:
            for owner in owners[path]:
                c = counts[owner]
                for k in range(4):
                    c[k] += numbers[k]
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
