"""The hand-built roster that the indicator tests check values against."""

import datetime

import pytest

from grassroots.training.models import Status, Topic
from grassroots.training.tests import builders as b

D = datetime.date


@pytest.fixture
def roster(tree):
    """Who is on the roster, and what each completed (see the test docstrings)."""
    p, a, bb = tree.province, tree.commune_a, tree.commune_b
    people = {
        # The province office: trained in 2025 (work in January, IT in March).
        "p1": b.trained(b.official(p), p, D(2025, 1, 15), D(2025, 3, 20)),
        # Commune A: work in February, IT only in June.
        "a1": b.trained(b.official(a), a, D(2025, 2, 10), D(2025, 6, 20)),
        # Work only, no IT course: not trained.
        "a2": b.official(a),
        # Trained, but not someone who needs training: not counted at all.
        "a3": b.trained(
            b.official(a, needs_training=False), a, D(2024, 5, 1), D(2024, 5, 2)
        ),
        # Trained in 2024, left on 1 May 2025: counted until then.
        "a4": b.trained(
            b.official(a, left_on=D(2025, 5, 1)), a, D(2024, 4, 1), D(2024, 4, 2)
        ),
        # Joins the roster in 2026.
        "a5": b.official(a, started_on=D(2026, 1, 1)),
        # Hamlet collaborator: IT course attended but not completed.
        "h1": b.official(tree.hamlet_a1),
        # Commune B: trained in 2024, with an equipment course as IT.
        "b1": b.trained(
            b.official(bb), bb, D(2024, 9, 1), D(2024, 9, 5), Topic.EQUIPMENT
        ),
        # Another province: never counted here.
        "o1": b.trained(
            b.official(tree.other_commune),
            tree.other_commune,
            D(2024, 1, 1),
            D(2024, 1, 2),
        ),
    }
    b.completed(people["a2"], a, Topic.PROFESSIONAL, D(2025, 1, 5))
    b.completed(people["h1"], a, Topic.PROFESSIONAL, D(2025, 1, 5))
    b.completed(
        people["h1"],
        a,
        Topic.ARCHIVING,
        D(2025, 2, 5),
        status=Status.ATTENDED,
        completed_on=None,
    )
    return people
