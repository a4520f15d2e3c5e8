"""The catalogue, targets, colours and periods that every indicator shares."""

import datetime
from decimal import Decimal

import pytest

from grassroots.indicators import catalogue, periods, registry
from grassroots.indicators.lookup import find_area
from grassroots.indicators.registry import Measure, Status

D = datetime.date


def test_every_indicator_of_the_brief_is_listed_with_its_targets():
    entries = {e.spec.code: e for e in registry.entries()}
    assert list(entries) == [s.code for s in catalogue.SPECS]
    assert entries["officials_trained"].available
    assert entries["ip_stations"].available
    boards = entries["commune_boards"].spec
    assert (boards.target_2025, boards.target_2030) == (30, 100)
    assert entries["clusters_per_station"].spec.target_2025 == 15


def test_the_2025_target_applies_until_the_end_of_2025_then_2030s():
    boards = catalogue.COMMUNE_BOARDS
    assert boards.target_for(D(2025, 12, 31)) == 30
    assert boards.target_for(D(2026, 1, 1)) == 100


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (Decimal(30), Status.MET),
        (Decimal(24), Status.NEAR),
        (Decimal("23.9"), Status.BEHIND),
        (None, Status.NONE),
    ],
)
def test_green_amber_red(value, status):
    assert catalogue.COMMUNE_BOARDS.status(value, D(2025, 6, 30)) == status


def test_a_measure_is_checkable_and_adds_up():
    a, b = Measure(1, 3), Measure(2, 3)
    assert a.value == Decimal("33.3")
    assert (a + b).value == Decimal("50.0")
    assert Measure(0, 0).value is None
    assert Measure(47, 3, scale=1).value == Decimal("15.7")


def test_dates_are_read_the_vietnamese_way():
    assert periods.parse_date("05/03/2025") == D(2025, 3, 5)
    assert periods.parse_date("2025-03-05") == D(2025, 3, 5)
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        periods.parse_date("03/15/2025")
    with pytest.raises(ValueError):
        periods.check_period(D(2025, 2, 1), D(2025, 1, 1))
    assert list(periods.months(D(2025, 11, 15), D(2026, 1, 2))) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
    ]
    assert periods.month_end(D(2024, 2, 10)) == D(2024, 2, 29)


def test_areas_are_found_by_code_or_path(tree):
    assert find_area(tree.province.code) == tree.province
    assert find_area(tree.hamlet_a1.path) == tree.hamlet_a1
    assert find_area("all") is None
    with pytest.raises(ValueError):
        find_area("nowhere")
