"""What an indicator table or a periodic report holds, before any file format.

The XLSX and PDF writers lay out the same :class:`Report`, so a spreadsheet
and a PDF of one area and period never disagree. Apps add sections of their
own to the periodic report (training sessions now; the fleet and feedback
later) with :func:`register_section`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from grassroots.areas.models import Area
from grassroots.core import numbers

from . import periods, registry, service
from .registry import Entry, Measure

Progress = Callable[[int], None]


@dataclass
class Section:
    """A titled table that an app contributes to the periodic report."""

    title: str
    headers: list[str]
    rows: Sequence[Sequence[object]]
    note: str = ""


SectionBuilder = Callable[[Area | None, datetime.date, datetime.date], Section | None]
_sections: list[SectionBuilder] = []


def register_section(builder: SectionBuilder) -> SectionBuilder:
    """Add a section to every periodic report (a decorator, in ``<app>/indicators.py``)."""
    if builder not in _sections:
        _sections.append(builder)
    return builder


@dataclass
class Report:
    area: Area | None
    start: datetime.date
    end: datetime.date
    results: list[service.Result]
    children: list[Area] = field(default_factory=list)
    child_entries: list[Entry] = field(default_factory=list)
    child_table: dict[str, dict[int, service.Result]] = field(default_factory=dict)
    trends: dict[str, list[tuple[datetime.date, Measure]]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    full: bool = False

    @property
    def area_name(self) -> str:
        return self.area.full_name if self.area is not None else _("Whole country")

    @property
    def period_label(self) -> str:
        return f"{periods.label(self.start)} – {periods.label(self.end)}"

    @property
    def title(self) -> str:
        if self.full:
            return _("Report on the grassroots information system")
        return _("Grassroots information indicators")


def build(
    area: Area | None,
    start: datetime.date,
    end: datetime.date,
    *,
    full: bool,
    progress: Progress | None = None,
) -> Report:
    """Return the report of ``area`` for the period; ``full`` adds trends and sections."""
    with service.reading():
        return _build(area, start, end, full=full, progress=progress)


def _build(
    area: Area | None,
    start: datetime.date,
    end: datetime.date,
    *,
    full: bool,
    progress: Progress | None,
) -> Report:
    step = progress or (lambda pct: None)
    report = Report(area, start, end, service.results(area, start, end), full=full)
    step(25)
    report.children, report.child_entries, report.child_table = service.breakdown(
        area, start, end
    )
    step(50)
    if full:
        measured = registry.measured()
        for index, indicator in enumerate(measured, start=1):
            if service.applies(indicator.spec, area):
                report.trends[indicator.spec.code] = service.trend(indicator, area, end)
            step(50 + 25 * index // max(len(measured), 1))
        registry.discover()
        for builder in _sections:
            section = builder(area, start, end)
            if section is not None:
                report.sections.append(section)
    step(80)
    return report


def format_value(value: Decimal | None, unit: str) -> str:
    """Return a value the Vietnamese way: "85,5%" or "15,2"."""
    if value is None:
        return "—"
    text = numbers.text(value, 1)
    return f"{text}%" if unit == registry.Unit.PERCENT else text


def format_number(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return numbers.text(value, 2)
    if isinstance(value, int | float | Decimal):
        return numbers.text(int(value))
    return str(value)


def format_goal(value: Decimal | None, unit: str) -> str:
    """Return a target as written in the plan: "100%", "30%", "15"."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{int(value)}%" if unit == registry.Unit.PERCENT else str(int(value))
    return format_value(value, unit)


def format_target(spec: registry.Spec, day: datetime.date) -> str:
    target = spec.target_for(day)
    if target is None:
        return "—"
    prefix = "≥ " if spec.unit == registry.Unit.RATIO else ""
    return prefix + format_goal(target, spec.unit)
