"""The indicator "share of officials trained", checked against a hand-built roster."""

import datetime
from decimal import Decimal

from grassroots.indicators import registry, service, snapshots
from grassroots.training.models import Status, Topic
from grassroots.training.tests import builders as b

D = datetime.date


def trained_share(area, end):
    m = registry.get("officials_trained").compute(area, D(2025, 1, 1), end)
    return m.numerator, m.denominator, m.value


def test_province_at_the_end_of_2025(tree, roster):
    """p1, a1, b1 trained of p1, a1, a2, h1, b1 (a3 needs none, a4 left, a5 not yet)."""
    assert trained_share(tree.province, D(2025, 12, 31)) == (3, 5, Decimal("60.0"))


def test_province_in_march_2025_counts_who_was_there_and_what_was_done(tree, roster):
    """a4 is still on the roster; a1 has no IT course yet: p1, a4, b1 of 6."""
    assert trained_share(tree.province, D(2025, 3, 31)) == (3, 6, Decimal("50.0"))


def test_commune_and_hamlet(tree, roster):
    assert trained_share(tree.commune_a, D(2025, 12, 31)) == (1, 3, Decimal("33.3"))
    assert trained_share(tree.hamlet_a1, D(2025, 12, 31)) == (0, 1, Decimal("0.0"))
    assert trained_share(tree.commune_b, D(2025, 12, 31)) == (1, 1, Decimal("100.0"))


def test_the_whole_country_adds_every_province(tree, roster):
    assert trained_share(None, D(2025, 12, 31)) == (4, 6, Decimal("66.7"))


def test_an_area_without_anyone_to_train_has_no_value(tree, roster):
    assert trained_share(tree.hamlet_b2, D(2025, 12, 31)) == (0, 0, None)


def test_details_say_who_has_which_half(tree, roster):
    m = registry.get("officials_trained").compute(
        tree.commune_a, D(2025, 1, 1), D(2025, 12, 31)
    )
    assert m.details == {"professional": 3, "it": 1}


def test_grouped_computation_gives_the_same_values(tree, roster):
    indicator = registry.get("officials_trained")
    areas = [tree.commune_a, tree.commune_b, tree.other_commune, tree.hamlet_a1]
    many = indicator.compute_many(areas, D(2025, 1, 1), D(2025, 12, 31))
    for area in areas:
        single = indicator.compute(area, D(2025, 1, 1), D(2025, 12, 31))
        assert (many[area.pk].numerator, many[area.pk].denominator) == (
            single.numerator,
            single.denominator,
        ), area


def test_snapshots_give_the_same_values_as_live_computation(tree, roster):
    """Closed months come from snapshots; the answer must not change."""
    indicator = registry.get("officials_trained")
    live = {
        end: service.measure(indicator, tree.province, D(2025, 1, 1), end)
        for end in (D(2025, 3, 31), D(2025, 12, 31), D(2025, 12, 15))
    }
    written = snapshots.refresh(history=30, codes=["officials_trained"])
    assert written > 0
    for end, expected in live.items():
        got = service.measure(indicator, tree.province, D(2025, 1, 1), end)
        assert (got.numerator, got.denominator) == (
            expected.numerator,
            expected.denominator,
        )
    # A completion recorded late changes the past: its snapshots are dropped.
    from grassroots.training import actions

    attendance = roster["a2"].attendances.get()
    it = b.completed(roster["a2"], tree.commune_a, Topic.AUTHORING, D(2025, 3, 1))
    actions.record_attendance(
        None, it, status=Status.COMPLETED, completed_on=D(2025, 3, 1)
    )
    assert attendance.status == Status.COMPLETED
    got = service.measure(indicator, tree.province, D(2025, 1, 1), D(2025, 12, 31))
    assert (got.numerator, got.denominator) == (4, 5)
