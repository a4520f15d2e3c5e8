"""The indicators: what each one means (its ``Spec``) and how it is computed.

Every indicator of the brief has a ``Spec`` in :mod:`.catalogue`, whether or
not its data exists yet. The computation is a small :class:`Indicator`
subclass that an app registers in its own ``<app>/indicators.py`` (found at
start-up), once the app that holds the data is installed::

    @register
    class IpStations(Indicator):
        spec = catalogue.IP_STATIONS

        def compute(self, area, start, end):
            ...
            return Measure(numerator=..., denominator=..., scale=self.spec.scale)

Every indicator is a ratio of two additive counts (so a reader can check it,
and so values of disjoint areas or of consecutive months add up).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module
from typing import Any, ClassVar

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.areas.models import Area, Level


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    RATIO = "ratio", _("per station")


class Kind(models.TextChoices):
    """How an indicator behaves over time.

    A *stock* is a state on the last day of the period (officials trained,
    clusters installed); a *flow* counts what happened during the period
    (bulletins disseminated, feedback handled), so months add up.
    """

    STOCK = "stock", _("state at the end of the period")
    FLOW = "flow", _("activity during the period")


class Status(models.TextChoices):
    MET = "met", _("target met")
    NEAR = "near", _("close to target")
    BEHIND = "behind", _("behind target")
    NONE = "none", _("no data")


@dataclass(frozen=True)
class Spec:
    """The definition of one indicator, as written in ``docs/indicators.md``."""

    code: str
    name: Any
    definition: Any
    numerator_label: Any
    denominator_label: Any
    target_2025: Decimal | None
    target_2030: Decimal | None
    needs: Any
    unit: str = Unit.PERCENT
    kind: str = Kind.STOCK
    #: Levels of area where the indicator means something.
    levels: tuple[int, ...] = (Level.PROVINCE, Level.COMMUNE, Level.HAMLET)
    #: A value at or above target × amber_ratio is amber rather than red.
    amber_ratio: Decimal = Decimal("0.8")
    order: int = 100

    @property
    def scale(self) -> int:
        return 100 if self.unit == Unit.PERCENT else 1

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)

    def target_for(self, day: datetime.date) -> Decimal | None:
        """Return the target in force on ``day``: 2025's until its end, then 2030's."""
        if day.year <= 2025 or self.target_2030 is None:
            return self.target_2025
        return self.target_2030

    def status(self, value: Decimal | None, day: datetime.date) -> str:
        """Return green/amber/red (met/near/behind) for ``value`` against the target."""
        target = self.target_for(day)
        if value is None or target is None:
            return Status.NONE
        if value >= target:
            return Status.MET
        if value >= target * self.amber_ratio:
            return Status.NEAR
        return Status.BEHIND


@dataclass(frozen=True)
class Measure:
    """An indicator's value for one area and period, with what it is made of."""

    numerator: Decimal | int
    denominator: Decimal | int
    scale: int = 100
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def value(self) -> Decimal | None:
        """Return numerator / denominator × scale, to one decimal; None without data."""
        if not self.denominator:
            return None
        raw = Decimal(self.numerator) * self.scale / Decimal(self.denominator)
        return raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            self.scale,
        )


class Indicator:
    """How to compute one indicator from live data; subclasses set ``spec``."""

    spec: ClassVar[Spec]

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        """Return the measure for ``area`` (None: the whole country) and the period.

        ``start`` and ``end`` are inclusive local dates.
        """
        raise NotImplementedError

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        """Return the measure of each area, by id.

        Override with a grouped query where one query per area is too slow
        (drill-down tables and the monthly snapshot job call this).
        """
        return {area.pk: self.compute(area, start, end) for area in areas}

    def measure(self, numerator, denominator, **details) -> Measure:
        return Measure(numerator, denominator, self.spec.scale, details)

    @staticmethod
    def under(
        queryset: QuerySet, area: Area | None, path_field: str = "area__path"
    ) -> QuerySet:
        """Return the rows of ``queryset`` that belong to ``area`` or below it."""
        if area is None:
            return queryset
        return queryset.filter(**{f"{path_field}__under": area.path})

    @staticmethod
    def bucket(paths: Iterable[str], areas: Sequence[Area]) -> dict[str, list[int]]:
        """Map each row path to the ids of the areas in ``areas`` that contain it."""
        by_path = {a.path: a.pk for a in areas}
        lengths = sorted({len(p) for p in by_path}, reverse=True)
        found: dict[str, list[int]] = {}
        for path in paths:
            if path not in found:
                found[path] = [
                    by_path[path[:n]]
                    for n in lengths
                    if n <= len(path) and path[:n] in by_path
                ]
        return found


_registered: dict[str, Indicator] = {}
_discovered = False


def register(cls: type[Indicator]) -> type[Indicator]:
    """Register an indicator class (a decorator); the latest one for a code wins."""
    _registered[cls.spec.code] = cls()
    return cls


def discover() -> None:
    """Import ``indicators`` of every installed grassroots app, once."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("grassroots.") or config.name.endswith(
            ".indicators"
        ):
            continue
        dotted = f"{config.name}.indicators"
        try:
            import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
    _discovered = True


@dataclass(frozen=True)
class Entry:
    """An indicator of the catalogue, with its computation if it is available."""

    spec: Spec
    indicator: Indicator | None

    @property
    def available(self) -> bool:
        return self.indicator is not None


def entries() -> list[Entry]:
    """Return every indicator, measured or not yet, in the catalogue's order."""
    from . import catalogue

    discover()
    specs = {s.code: s for s in catalogue.SPECS}
    for code, indicator in _registered.items():
        specs.setdefault(code, indicator.spec)
    return [
        Entry(
            _registered[code].spec if code in _registered else spec,
            _registered.get(code),
        )
        for code, spec in sorted(specs.items(), key=lambda kv: kv[1].order)
    ]


def get(code: str) -> Indicator:
    """Return the registered indicator ``code``; raise ``KeyError`` if unmeasured."""
    discover()
    return _registered[code]


def measured() -> list[Indicator]:
    return [e.indicator for e in entries() if e.indicator is not None]
