"""Pushes reached are a channel of the dissemination report, scoped like the rest."""

import pytest

from grassroots.bulletins.tests.builders import make_published
from grassroots.citizen import actions
from grassroots.dissemination import report

pytestmark = pytest.mark.django_db


def test_pushes_reached_are_counted_in_the_report_per_area(tree, people):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        title="Bão số 5",
        level="emergency",
        category="thien-tai",
    )
    actions.tally(bulletin.pk, {tree.hamlet_a1.path: {"reached": 2, "gone": 1}})
    actions.tally(bulletin.pk, {tree.hamlet_a1.path: {"reached": 1}})
    actions.tally(bulletin.pk, {tree.commune_b.path: {"reached": 5}})

    assert report.build(bulletin, None).pushes_reached == 8
    commune_a = report.build(bulletin, [tree.commune_a.path])
    assert (commune_a.pushes_reached, commune_a.pushes_gone) == (3, 1)
    assert report.build(bulletin, [tree.other_province.path]).pushes_reached == 0
