"""Proof of display summed up: per board, hamlet and commune; and the board indicator."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.boards import actions, coverage
from grassroots.boards.indicators import board_state, boards_layer
from grassroots.bulletins.models import Bulletin
from grassroots.bulletins.tests.builders import make_published
from grassroots.indicators import registry
from grassroots.testing import make_user

from .builders import event, make_board, make_item

pytestmark = pytest.mark.django_db
D = datetime.date


def test_displays_for_counts_boards_hamlets_and_communes(tree, people):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    office = make_board(tree.commune_a, code="A-UBND")
    hamlet = make_board(tree.hamlet_a1, code="A-H1", place="public")
    other = make_board(tree.commune_b, code="B-UBND")
    make_board(tree.commune_b, code="B-SILENT")
    now = timezone.now()
    # Published an hour ago: events before that would be refused as forged.
    Bulletin.objects.filter(pk=bulletin.pk).update(
        first_published_at=now - timedelta(hours=1)
    )
    key = f"bulletin:{bulletin.pk}"
    actions.record_report(
        office,
        events=[
            event(key, at=now - timedelta(minutes=9), seconds=30),
            event(key, at=now - timedelta(minutes=3), seconds=30),
        ],
    )
    actions.record_report(
        hamlet, events=[event(key, at=now - timedelta(minutes=5), seconds=20)]
    )
    actions.record_report(
        other, events=[event(key, at=now - timedelta(minutes=1), seconds=10)]
    )
    result = coverage.displays_for(bulletin.pk)
    assert [b.code for b in result.boards] == ["A-UBND", "A-H1", "B-UBND"]
    a = next(b for b in result.boards if b.code == "A-UBND")
    assert (a.times, a.total_seconds, a.at_office) == (2, 60.0, True)
    assert a.last_shown_at - a.first_shown_at == timedelta(minutes=6, seconds=30)
    assert result.communes[tree.commune_a.pk].boards == 2
    assert result.communes[tree.commune_a.pk].total_seconds == 80.0
    assert set(result.hamlets) == {tree.hamlet_a1.pk}
    assert result.total_seconds == 90.0
    reached = coverage.reached_areas([bulletin.pk])[bulletin.pk]
    assert reached == {tree.commune_a.pk, tree.hamlet_a1.pk, tree.commune_b.pk}


def test_essential_items_shown_count_once_per_item(tree):
    board = make_board(tree.commune_a)
    essential = make_item(tree.commune_a, is_essential=True)
    plain = make_item(tree.commune_a, title="Chào mừng")
    actions.record_report(
        board,
        events=[event(essential.key), event(essential.key), event(plain.key)],
    )
    today = timezone.localdate()
    assert coverage.essential_items_shown(tree.province, today, today) == 1
    assert coverage.essential_items_shown(tree.commune_b, today, today) == 0


# The indicator -----------------------------------------------------------------------


def share(area, end):
    m = registry.get("commune_boards").compute(area, D(2025, 1, 1), end)
    return m.numerator, m.denominator


def test_commune_offices_with_an_active_board_on_the_last_day(tree):
    board = make_board(tree.commune_a, state_since=D(2025, 3, 1))
    make_board(
        tree.commune_b, place="public", state_since=D(2025, 3, 1)
    )  # not the office
    make_board(tree.other_commune, state_since=D(2025, 3, 1))
    assert share(tree.province, D(2025, 2, 28)) == (0, 2)  # not yet installed
    assert share(tree.province, D(2025, 12, 31)) == (1, 2)
    assert share(None, D(2025, 12, 31)) == (2, 3)
    actions.change_board(
        None, board, area=tree.commune_a, state="maintenance", state_since=D(2025, 6, 1)
    )
    assert share(tree.province, D(2025, 5, 31)) == (1, 2)  # the past keeps its value
    assert share(tree.province, D(2025, 6, 30)) == (0, 2)
    assert share(tree.commune_a, D(2025, 5, 31)) == (1, 1)


def test_a_hamlet_board_at_the_office_counts_for_its_commune_once(tree):
    make_board(tree.hamlet_a1, state_since=D(2025, 1, 2))
    make_board(tree.commune_a, state_since=D(2025, 1, 2))
    assert share(tree.province, D(2025, 12, 31)) == (1, 2)


def test_grouped_computation_agrees(tree):
    make_board(tree.commune_a, state_since=D(2025, 1, 2))
    make_board(tree.other_commune, state_since=D(2025, 1, 2))
    indicator = registry.get("commune_boards")
    areas = [tree.province, tree.commune_a, tree.commune_b, tree.other_province]
    many = indicator.compute_many(areas, D(2025, 1, 1), D(2025, 12, 31))
    for area in areas:
        single = indicator.compute(area, D(2025, 1, 1), D(2025, 12, 31))
        assert (many[area.pk].numerator, many[area.pk].denominator) == (
            single.numerator,
            single.denominator,
        )


def test_the_map_shows_boards_in_scope_coloured_by_state(tree):
    board = make_board(tree.commune_a, latitude=10.4, longitude=105.6)
    make_board(tree.commune_b, latitude=10.5, longitude=105.7)
    make_board(tree.hamlet_a1)  # no position, nor its hamlet's: not drawn
    features = boards_layer(None, make_user("viewer", tree.commune_a))
    assert [f.label.split(" · ")[0] for f in features] == [board.code]
    assert board_state(board)[0] == "offline"
    actions.record_report(board, events=[])
    board.refresh_from_db()
    assert board_state(board)[0] == "online"
