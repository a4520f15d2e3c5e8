"""Bounded parsers for what arrives in URLs and bodies: dates, numbers, text.

Python's dates run from year 1 to 9999 and the databases' integers to 2**63;
a date near either end overflows when it is moved to UTC or a day is added,
and a longer number overflows the database driver. Each gave a 500. Every
value a person or a client types goes through here, so it is refused with
a clear message (a 4xx), never passed on to overflow:

- :func:`parse_int`, :func:`parse_date`, :func:`check_year` for views;
- ``Date``, ``DateTime``, ``Offset``, ``Limit`` for django-ninja schemas;
- :func:`install` bounds every django-filter form (our console lists and
  Wagtail's own), since those are built from model fields, not written by us.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

#: Dates outside these years are no record this system keeps.
MIN_YEAR = 1900
MAX_YEAR = 2200
#: The largest id or count any of our tables holds (a signed 64-bit integer).
MAX_INT = 2**63 - 1
#: How far into a list a client may page.
MAX_OFFSET = 1_000_000

_INTEGER = re.compile(r"\s*[-+]?\d+\s*")


def year_error() -> str:
    return _("The year must be between %(low)d and %(high)d.") % {
        "low": MIN_YEAR,
        "high": MAX_YEAR,
    }


def check_year(value: datetime.date | datetime.datetime | None):
    """Return ``value`` if its year is one we keep, else raise ``ValidationError``."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(year_error(), code="year")
    return value


def parse_int(
    raw: str | None, *, low: int = -MAX_INT, high: int = MAX_INT, name: str = ""
) -> int | None:
    """Return the integer in ``raw`` (None when empty), or raise ``ValidationError``."""
    text = (raw or "").strip()
    if not text:
        return None
    if not _INTEGER.fullmatch(text) or len(text) > 25:
        raise ValidationError(
            _("%(name)s must be a whole number.") % {"name": name or _("The value")},
            code="integer",
        )
    value = int(text)
    if not low <= value <= high:
        raise ValidationError(
            _("%(name)s must be between %(low)d and %(high)d.")
            % {"name": name or _("The value"), "low": low, "high": high},
            code="range",
        )
    return value


_ID = re.compile(r"[0-9]{1,18}")


def object_id(raw: str | None) -> int | None:
    """Return ``raw`` as a row id, or None if it is not one (too long, signs, ``²``).

    ``str.isdigit()`` accepts superscripts and 30-digit numbers, which then
    fail in ``int()`` or overflow the database driver.
    """
    text = (raw or "").strip()
    return int(text) if _ID.fullmatch(text) else None


def id_list(raw: str | None, limit: int) -> list[int]:
    """Return the row ids in a comma-separated ``raw``, skipping what is not one."""
    ids = (object_id(part) for part in (raw or "").split(",")[: limit * 2])
    return [i for i in ids if i is not None][:limit]


def parse_date(
    raw: str | None, formats: tuple[str, ...] = ("%d/%m/%Y", "%Y-%m-%d")
) -> datetime.date | None:
    """Return the date in ``raw`` (dd/mm/yyyy or ISO; None when empty) within the kept years."""
    text = (raw or "").strip()
    if not text:
        return None
    for fmt in formats:
        try:
            value = (
                datetime.datetime.strptime(text[:40], fmt)
                .replace(tzinfo=datetime.UTC)
                .date()
            )
        except ValueError:
            continue
        return check_year(value)
    raise ValidationError(_("Write the date as dd/mm/yyyy."), code="date")


# django-ninja (pydantic) types -------------------------------------------------


def _year_in_range(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


#: A date a client sends; 422 outside MIN_YEAR..MAX_YEAR.
Date = Annotated[datetime.date, AfterValidator(_year_in_range)]
#: A date and time a client sends; 422 outside MIN_YEAR..MAX_YEAR.
DateTime = Annotated[datetime.datetime, AfterValidator(_year_in_range)]
#: An offset into a list.
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


# Forms of list filters ------------------------------------------------------------

_NUMERIC_FIELDS = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
    forms.TypedChoiceField,
)


def _raw_values(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _raw_values(item)]
    return [value]


def _cleaned_dates(value: Any) -> list[Any]:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return [value]
    if isinstance(value, slice):
        return _cleaned_dates(value.start) + _cleaned_dates(value.stop)
    if isinstance(value, (list, tuple)):
        return [d for item in value for d in _cleaned_dates(item)]
    return []


def bounded_clean(field: forms.Field, *, year: bool = False):
    """Return ``field.clean`` refusing numbers past 64 bits and dates out of range.

    ``year``: the value is a year (a ``__year`` lookup), so it must be a kept one.
    """
    original = field.clean
    numeric = isinstance(field, _NUMERIC_FIELDS)

    def clean(value):
        if numeric or year:
            for raw in _raw_values(value):
                text = str(raw).strip() if raw is not None else ""
                if _INTEGER.fullmatch(text or "x") and abs(int(text)) > MAX_INT:
                    raise ValidationError(
                        _("The number is too large."), code="too_large"
                    )
        cleaned = original(value)
        for day in _cleaned_dates(cleaned):
            check_year(day)
        if year and cleaned not in (None, ""):
            try:
                number = int(cleaned)
            except (TypeError, ValueError, OverflowError) as exc:
                raise ValidationError(year_error(), code="year") from exc
            if not MIN_YEAR <= number <= MAX_YEAR:
                raise ValidationError(year_error(), code="year")
        return cleaned

    clean.bounded = True  # type: ignore[attr-defined]  # a marker read by bound_filter_form
    return clean


def bound_filter_form(filterset, form: forms.Form) -> forms.Form:
    """Bound every field of a django-filter form (see :func:`bounded_clean`)."""
    for name, field in form.fields.items():
        if getattr(field.clean, "bounded", False):
            continue
        flt = filterset.filters.get(name)
        lookup = str(getattr(flt, "lookup_expr", "") or "")
        year = name.endswith("__year") or lookup.endswith("year")
        field.clean = bounded_clean(field, year=year)  # type: ignore[method-assign]  # per instance, on purpose
    return form


def install() -> None:
    """Bound the form of every django-filter FilterSet, ours and Wagtail's.

    Wagtail builds most console filters from model fields (date ranges,
    related objects, ``__year`` lookups); they reached the database with
    year 1 or a 20-digit id and overflowed. Bounding their forms once here
    turns each into the filter's own validation message.
    """
    from django_filters.filterset import BaseFilterSet

    if getattr(BaseFilterSet, "_grassroots_bounded", False):
        return
    original = BaseFilterSet.form

    def form(self):
        built = original.fget(self)
        if not getattr(built, "_bounded", False):
            bound_filter_form(self, built)
            built._bounded = True
        return built

    BaseFilterSet.form = property(form)
    BaseFilterSet._grassroots_bounded = True
