"""Periods: local dates, months, and the dd/mm/yyyy people type."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
#: The oldest period anyone may ask for: the national programme began in 2021.
EARLIEST = datetime.date(2020, 1, 1)


def today() -> datetime.date:
    """Return today's date in the province's time zone."""
    return timezone.localdate()


def parse_date(text: str) -> datetime.date:
    """Return the date in ``text`` (dd/mm/yyyy, or yyyy-mm-dd); raise ValueError."""
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(
        _("“%(text)s” is not a date; write it as dd/mm/yyyy, e.g. 31/12/2025.")
        % {"text": text}
    )


def check_period(start: datetime.date, end: datetime.date) -> None:
    """Raise ValueError unless ``start``–``end`` is a sensible reporting period."""
    if start > end:
        raise ValueError(_("The period starts after it ends."))
    if start < EARLIEST:
        raise ValueError(
            _("Periods start on %(date)s at the earliest.")
            % {"date": EARLIEST.strftime("%d/%m/%Y")}
        )
    if end > today() + datetime.timedelta(days=366):
        raise ValueError(_("The period ends more than a year from now."))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    """Yield the first day of each month that ``start``–``end`` touches."""
    month = month_start(start)
    while month <= end:
        yield month
        month = add_months(month, 1)


def is_closed(month: datetime.date) -> bool:
    """Return True if ``month`` (its first day) is over, so a snapshot can hold it."""
    return month_end(month) < today()


def year_to_date() -> tuple[datetime.date, datetime.date]:
    """Return the default period: 1 January of this year to today."""
    now = today()
    return datetime.date(now.year, 1, 1), now


def label(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
