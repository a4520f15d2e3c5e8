"""The indicator "essential information disseminated" against a hand-built data set."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grassroots.boards import actions as board_actions
from grassroots.boards.tests.builders import event as shown
from grassroots.boards.tests.builders import make_board
from grassroots.indicators import registry

from .builders import cluster, event, publish, store

pytestmark = pytest.mark.django_db


def _value(measure):
    return (measure.numerator, measure.denominator)


def test_essential_disseminated_by_play_and_display(tree, people):
    a1, a2 = cluster(tree.hamlet_a1), cluster(tree.hamlet_a2)
    b1 = cluster(tree.hamlet_b1)
    cluster(tree.hamlet_b2)  # never plays anything

    # 1. Commune A: heard in A1, shown on a board in A2 → disseminated.
    one = publish(people, tree.commune_a, title="Một")
    store(a1, event(one))
    board_actions.record_report(
        make_board(tree.hamlet_a2, place="public"), events=[shown(f"bulletin:{one.pk}")]
    )
    # 2. The whole province: heard in A1, A2, B1, but not in B2.
    two = publish(people, tree.province, title="Hai")
    store(a1, event(two))
    store(a2, event(two))
    store(b1, event(two))
    # 3. Hamlet B1 only: the cluster failed.
    three = publish(people, tree.commune_b, title="Ba", targets=[tree.hamlet_b1])
    store(b1, event(three, "failed", reason="power off"))
    # 4. Commune B as a whole: a board at the commune office showed it.
    four = publish(people, tree.commune_b, title="Bốn")
    board_actions.record_report(
        make_board(tree.commune_b, place="office"),
        events=[shown(f"bulletin:{four.pk}")],
    )
    # Not counted: not essential; portal only; published last year.
    plain = publish(people, tree.province, title="Thường", is_essential=False)
    store(a1, event(plain))
    publish(people, tree.province, title="Cổng", channels=["portal"])
    old = publish(
        people,
        tree.province,
        title="Cũ",
        published_at=timezone.now() - datetime.timedelta(days=400),
    )
    store(a1, event(old))

    indicator = registry.get("essential_disseminated")
    today = timezone.localdate()
    start = today.replace(day=1)
    areas = [
        tree.province,
        tree.commune_a,
        tree.commune_b,
        tree.hamlet_a1,
        tree.hamlet_b1,
        tree.hamlet_b2,
        tree.other_province,
    ]
    expected = {
        tree.province.pk: (2, 4),  # one and four; not two (B2), not three
        tree.commune_a.pk: (2, 2),  # one and two
        tree.commune_b.pk: (1, 3),  # four; not two (B2), not three
        tree.hamlet_a1.pk: (2, 2),
        tree.hamlet_b1.pk: (2, 3),  # two and four; not three
        tree.hamlet_b2.pk: (1, 2),  # four; not two
        tree.other_province.pk: (0, 0),
    }
    many = indicator.compute_many(areas, start, today)
    assert {pk: _value(m) for pk, m in many.items()} == expected
    for area in areas:
        assert _value(indicator.compute(area, start, today)) == expected[area.pk]
    assert _value(indicator.compute(None, start, today)) == (2, 4)
    assert indicator.compute(tree.province, start, today).value == 50
