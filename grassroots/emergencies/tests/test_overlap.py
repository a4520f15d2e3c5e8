"""Two emergencies on the same boards: ending one leaves the other on the screens.

Found twice: a test emergency for a commune was cancelled, and the province's
flood emergency, still on the air, vanished from that commune's board.
"""

from __future__ import annotations

import pytest

from grassroots.boards import actions as boards
from grassroots.boards import playlist
from grassroots.boards.channel import emergency_id_of
from grassroots.boards.models import Takeover
from grassroots.boards.tests.builders import make_board
from grassroots.emergencies import actions
from grassroots.emergencies.models import Source, State

pytestmark = pytest.mark.django_db


def _start(actor, bulletin, areas, capture):
    with capture(execute=True):
        return actions.start(actor, bulletin, areas=areas)


def _on_board(board) -> list[str]:
    return [t.emergency_id for t in playlist.takeovers_for(board)]


def test_cancelling_a_test_emergency_keeps_the_flood_on_the_shared_takeover(
    tree, flood, operator_province, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    board = make_board(tree.commune_a)
    # The flood bulletin is on the boards of the commune (its own takeover).
    boards.take_over(
        emergency_id=emergency_id_of(flood.pk),
        area_paths=[tree.commune_a.path],
        title=flood.title,
        text="",
        level="emergency",
        actor=None,
    )
    on_air = _start(operator_province, flood, [tree.commune_a], capture)
    test = _start(operator_province, flood, [tree.hamlet_a1], capture)
    assert on_air.takeover_id == test.takeover_id == emergency_id_of(flood.pk)
    with capture(execute=True):
        actions.cancel(operator_province, test)
    on_air.refresh_from_db()
    assert on_air.state == State.ACTIVE
    takeover = Takeover.objects.get(emergency_id=on_air.takeover_id)
    assert takeover.released_at is None
    assert _on_board(board) == [emergency_id_of(flood.pk)]


def test_each_hand_started_emergency_ends_only_its_own_takeover(
    tree, flood, operator_province, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = _start(operator_province, flood, [tree.hamlet_a1], capture)
    second = _start(operator_province, flood, [tree.hamlet_a2], capture)
    assert first.takeover_id != second.takeover_id
    with capture(execute=True):
        actions.cancel(operator_province, first)
    assert Takeover.objects.get(emergency_id=second.takeover_id).released_at is None
    assert Takeover.objects.get(emergency_id=first.takeover_id).released_at


@pytest.mark.parametrize("bulletins_own_first", [True, False])
def test_a_shared_takeover_ends_with_the_last_of_its_emergencies_in_either_order(
    bulletins_own_first,
    tree,
    flood,
    operator_province,
    outbox,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    boards.take_over(
        emergency_id=emergency_id_of(flood.pk),
        area_paths=[tree.commune_a.path],
        title=flood.title,
        text="",
        level="emergency",
        actor=None,
    )
    with capture(execute=True):
        own = actions.start(None, flood, areas=[tree.commune_a], source=Source.BULLETIN)
    joined = _start(operator_province, flood, [tree.hamlet_a1], capture)
    assert own.takeover_id == joined.takeover_id
    takeover = Takeover.objects.get(emergency_id=own.takeover_id)
    first, last = (own, joined) if bulletins_own_first else (joined, own)
    with capture(execute=True):
        actions.cancel(operator_province, first)
    takeover.refresh_from_db()
    assert takeover.released_at is None
    with capture(execute=True):
        actions.cancel(operator_province, last)
    takeover.refresh_from_db()
    assert takeover.released_at is not None


def test_separate_overlapping_emergencies_each_keep_their_own_takeover(
    tree, flood, fire, operator_province, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    board = make_board(tree.hamlet_a1)
    province_wide = _start(operator_province, flood, [tree.commune_a], capture)
    local = _start(operator_province, fire, [tree.hamlet_a1], capture)
    assert set(_on_board(board)) == {province_wide.takeover_id, local.takeover_id}
    with capture(execute=True):
        actions.cancel(operator_province, local)
    assert _on_board(board) == [province_wide.takeover_id]


def test_a_console_emergency_joining_a_bulletins_takeover_never_ends_it(
    tree, flood, operator_province, outbox, django_capture_on_commit_callbacks
):
    """The boards show the bulletin until the bulletin itself is withdrawn."""
    capture = django_capture_on_commit_callbacks
    boards.take_over(
        emergency_id=emergency_id_of(flood.pk),
        area_paths=[tree.commune_a.path],
        title=flood.title,
        text="",
        level="emergency",
        actor=None,
    )
    joined = _start(operator_province, flood, [tree.hamlet_a1], capture)
    with capture(execute=True):
        actions.cancel(operator_province, joined)
    assert Takeover.objects.get(emergency_id=joined.takeover_id).released_at is None
