"""The source information indicator, on a hand-built data set."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grassroots.broadcasts.indicators import SourceInformation
from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.loudspeakers.models import PlayEvent
from grassroots.loudspeakers.tests.factories import make_cluster

from .builders import make_item

pytestmark = pytest.mark.django_db


def played(cluster, item, n, *, kind="finished", days_ago=0):
    PlayEvent.objects.create(
        cluster=cluster,
        event_id=f"e{n}",
        kind=kind,
        item=f"rec:{item.pk}:1",
        source="schedule",
        at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_bulletins_over_every_essential_item_disseminated(tree):
    people = make_people(tree)
    today = timezone.localdate()
    # Two essential bulletins of commune A, one not essential, one in commune B.
    make_published(people.editor_a, people.approver_a, tree.commune_a)
    make_published(people.editor_a, people.approver_a, tree.commune_a, title="Hai")
    make_published(
        people.editor_a, people.approver_a, tree.commune_a, is_essential=False
    )
    make_published(people.editor_b, people.approver_b, tree.commune_b)
    cluster = make_cluster(tree.hamlet_a1)
    essential = make_item(tree.commune_a, essential=True, source="recording")
    minor = make_item(tree.commune_a, essential=False, source="recording")
    silent = make_item(tree.commune_a, essential=True, source="recording")
    old = make_item(tree.commune_a, essential=True, source="recording")
    failed = make_item(tree.commune_a, essential=True, source="recording")
    played(cluster, essential, 1)
    played(cluster, essential, 2)  # aired twice, counted once
    played(cluster, minor, 3)
    played(cluster, old, 4, days_ago=40)
    played(cluster, failed, 5, kind="failed")
    assert silent

    indicator = SourceInformation()
    measure = indicator.compute(tree.commune_a, today, today)
    assert (measure.numerator, measure.denominator) == (2, 3)
    measure = indicator.compute(tree.province, today, today)
    assert (measure.numerator, measure.denominator) == (3, 4)
    measure = indicator.compute(tree.other_province, today, today)
    assert measure.denominator == 0

    # A drill-down table reads the same numbers in one go, and the country adds up.
    areas = [tree.province, tree.commune_a, tree.commune_b, tree.other_province]
    many = indicator.compute_many(areas, today, today)
    assert [(many[a.pk].numerator, many[a.pk].denominator) for a in areas] == [
        (3, 4),
        (2, 3),
        (1, 1),
        (0, 0),
    ]
    country = indicator.compute(None, today, today)
    assert (country.numerator, country.denominator) == (3, 4)
