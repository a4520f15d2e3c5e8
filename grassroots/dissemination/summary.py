"""The one-line summary of a bulletin's coverage: "x/y hamlets heard it"."""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.accounts.scope import area_q
from grassroots.areas.models import Level

from .models import AreaCoverage
from .report import target_paths, targeted_hamlets, within


@dataclass(frozen=True)
class Heard:
    heard: int
    targeted: int


def hamlets_heard(bulletin, roots: list[str] | None) -> Heard:
    """Return how many targeted hamlets (inside ``roots``) heard the bulletin; two queries."""
    paths = within(target_paths(bulletin), roots)
    if not paths:
        return Heard(0, 0)
    hamlets = targeted_hamlets(paths)
    # A join on the row's own area (not ``area__in=hamlets``): the rows of one
    # bulletin come from its (bulletin, area_path) index.
    heard = AreaCoverage.objects.filter(
        bulletin=bulletin,
        finished__gt=0,
        area__level=Level.HAMLET,
        area__is_active=True,
    ).filter(area_q(paths, "area_path"))
    return Heard(heard.count(), hamlets.count())
