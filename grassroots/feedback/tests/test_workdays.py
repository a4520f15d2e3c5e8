"""Deadlines count Vietnamese working days: weekends, holidays and swapped days."""

from datetime import date

import pytest

from .. import actions, workdays
from ..models import CalendarDay, DayKind

pytestmark = pytest.mark.django_db


def test_weekend_is_skipped():
    # Friday 7/3/2025 + 1 working day is Monday 10/3.
    assert workdays.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_tet_2026_holidays_are_skipped():
    """Received Friday 13/2/2026: Tết runs 16–20/2, so 1 working day is 23/2."""
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_swapped_saturday_is_a_working_day():
    """2/1/2026 is off, Saturday 10/1/2026 is worked instead (notice 12729/VPCP)."""
    assert not workdays.is_working_day(date(2026, 1, 2))
    assert workdays.is_working_day(date(2026, 1, 10))
    assert workdays.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_hung_kings_day_on_sunday_gives_monday_off():
    assert not workdays.is_working_day(date(2026, 4, 27))


def test_a_day_added_in_the_console_changes_deadlines(province_handler):
    """Editing the calendar takes effect at once (the cache is invalidated)."""
    start = date(2025, 6, 2)  # Monday
    assert workdays.add_working_days(start, 1) == date(2025, 6, 3)
    day = CalendarDay(date=date(2025, 6, 3), kind=DayKind.HOLIDAY, name="Nghỉ thử")
    actions.save_calendar_day(province_handler, day)
    workdays.invalidate()  # on commit in real use
    assert workdays.add_working_days(start, 1) == date(2025, 6, 4)


def test_commune_handler_cannot_edit_the_calendar(handler_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.save_calendar_day(
            handler_a,
            CalendarDay(date=date(2025, 6, 3), kind=DayKind.HOLIDAY, name="x"),
        )


def test_working_days_between():
    assert workdays.working_days_between(date(2025, 3, 7), date(2025, 3, 10)) == 1
    assert workdays.working_days_between(date(2025, 3, 10), date(2025, 3, 7)) == 0
