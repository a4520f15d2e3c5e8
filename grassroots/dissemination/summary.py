"""The one-line summary of a bulletin's coverage: "x/y hamlets heard it"."""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.accounts.scope import area_q

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
    heard = AreaCoverage.objects.filter(
        bulletin=bulletin, finished__gt=0, area__in=hamlets
    ).filter(area_q(paths, "area_path"))
    return Heard(heard.count(), hamlets.count())
