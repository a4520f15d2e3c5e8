"""Expanding schedules: once, daily, weekly, RRULE, window and dates, local time."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from grassroots.broadcasts import rules
from grassroots.broadcasts.models import ProgrammeSchedule

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 0, minute: int = 0, month: int = 7) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=VN)


def schedule(**fields) -> ProgrammeSchedule:
    base = {
        "rule": "once",
        "starts_on": datetime.date(2025, 7, 1),
        "at": datetime.time(6, 0),
    }
    base.update(fields)
    return ProgrammeSchedule(**base)


def local(times):
    return [t.astimezone(VN).strftime("%d/%m %H:%M") for t in times]


def test_once_airs_once_inside_the_window_only():
    s = schedule()
    assert local(rules.occurrences(s, at(1), at(3))) == ["01/07 06:00"]
    assert rules.occurrences(s, at(1, 7), at(3)) == []


def test_daily_gives_one_a_day_at_local_time_and_stops_at_the_end_date():
    s = schedule(rule="daily", ends_on=datetime.date(2025, 7, 3))
    assert local(rules.occurrences(s, at(1), at(10))) == [
        "01/07 06:00",
        "02/07 06:00",
        "03/07 06:00",
    ]


def test_the_48_hour_window_is_half_open():
    s = schedule(rule="daily")
    times = rules.occurrences(s, at(2, 6), at(4, 6))
    assert local(times) == ["02/07 06:00", "03/07 06:00"]


def test_weekly_on_chosen_days():
    # 01/07/2025 is a Tuesday; Monday=0, Friday=4.
    s = schedule(rule="weekly", weekdays="0,4")
    assert local(rules.occurrences(s, at(1), at(15))) == [
        "04/07 06:00",
        "07/07 06:00",
        "11/07 06:00",
        "14/07 06:00",
    ]


def test_rrule_with_count():
    s = schedule(rule="rrule", rrule="RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3")
    assert local(rules.occurrences(s, at(1), at(30))) == [
        "01/07 06:00",
        "03/07 06:00",
        "05/07 06:00",
    ]


def test_rrule_monthly_last_sunday():
    s = schedule(
        rule="rrule", rrule="FREQ=MONTHLY;BYDAY=-1SU", at=datetime.time(19, 30)
    )
    assert local(rules.occurrences(s, at(1), at(1, month=10))) == [
        "27/07 19:30",
        "31/08 19:30",
        "28/09 19:30",
    ]


@pytest.mark.parametrize(
    "text", ["FREQ=SOMETIMES", "", "hello", "FREQ=DAILY\nFREQ=WEEKLY"]
)
def test_a_bad_rrule_is_refused_in_words(text):
    with pytest.raises(ValidationError):
        rules.parse_rrule(text, datetime.datetime(2025, 7, 1, 6))  # noqa: DTZ001 - wall time


def test_times_are_ho_chi_minh_without_daylight_saving_all_year():
    s = schedule(rule="daily", starts_on=datetime.date(2025, 1, 1))
    times = rules.occurrences(
        s,
        datetime.datetime(2025, 1, 1, tzinfo=VN),
        datetime.datetime(2026, 1, 1, tzinfo=VN),
    )
    assert len(times) == 365
    assert {t.astimezone(datetime.UTC).strftime("%H:%M") for t in times} == {"23:00"}


def test_overlap_counts_a_zero_length_item_as_a_minute():
    a = at(1, 6)
    assert rules.overlap(a, datetime.timedelta(0), a, datetime.timedelta(0))
    assert not rules.overlap(
        a, datetime.timedelta(minutes=5), at(1, 6, 5), datetime.timedelta(minutes=5)
    )
    assert rules.overlap(
        a, datetime.timedelta(minutes=10), at(1, 6, 5), datetime.timedelta(minutes=5)
    )
