"""The Vietnamese working calendar: weekends, public holidays, swapped days.

Deadlines for feedback count working days (ngày làm việc). Monday to Friday
work and weekends rest, except the days kept in :class:`CalendarDay`: public
holidays and days off in lieu rest, and Saturdays the government swaps in
("làm bù") work. The rows are read once and cached in each process; saving a
day bumps a version in the shared cache so every process reloads.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from django.core.cache import cache

VERSION_KEY = "feedback:calendar:version"
#: How long a process trusts its copy before checking the version again.
RECHECK_S = 30.0

_lock = threading.Lock()
_state: dict[str, object] = {"version": None, "checked": 0.0, "off": set(), "on": set()}


def invalidate() -> None:
    """Make every process reload the calendar (call after changing a day)."""
    cache.set(VERSION_KEY, time.time_ns(), None)
    _state["checked"] = 0.0


def _load() -> tuple[set[date], set[date]]:
    now = time.monotonic()
    with _lock:
        if now - float(_state["checked"]) < RECHECK_S:  # type: ignore[arg-type]
            return _state["off"], _state["on"]  # type: ignore[return-value]
        version = cache.get(VERSION_KEY)
        if version is None or version != _state["version"]:
            from .models import CalendarDay, DayKind

            off: set[date] = set()
            on: set[date] = set()
            for day, kind in CalendarDay.objects.values_list("date", "kind"):
                (on if kind == DayKind.MAKEUP else off).add(day)
            if version is None:
                version = time.time_ns()
                cache.add(VERSION_KEY, version, None)
            _state.update(version=version, off=off, on=on)
        _state["checked"] = now
        return _state["off"], _state["on"]  # type: ignore[return-value]


def is_working_day(day: date) -> bool:
    off, on = _load()
    if day in on:
        return True
    if day in off:
        return False
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """Return the ``days``-th working day after ``start`` (the day of receipt).

    The day of receipt itself does not count, as in administrative practice:
    received on Friday with a 1-day deadline means answered by Monday.
    """
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Return how many working days lie after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
