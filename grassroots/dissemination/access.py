"""Which bulletins a user may see the dissemination of: the scope rule, both ways.

Lists show the bulletins issued in the user's area or targeting part of it
(the scope rule, checked by the scope harness). One bulletin's report may
also be opened for a bulletin from above that covers the user's area (a
province-wide bulletin, for a commune): it then shows only the hamlets,
clusters and boards inside the user's area, like every report.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.bulletins.models import Bulletin


def visible(user) -> QuerySet[Bulletin]:
    """Return the published bulletins whose dissemination ``user`` may read."""
    bulletins = Bulletin.objects.filter(first_published_at__isnull=False)
    roots = scope.roots(user, Capability.VIEW)
    if roots is None:
        return bulletins
    if not roots:
        return bulletins.none()
    through = Bulletin.target_areas.through
    targets = through.objects.filter(bulletin_id=OuterRef("pk")).filter(
        scope.area_q(roots, "area__path")
    )
    return bulletins.filter(
        scope.area_q(roots, "issuing_area__path") | Q(Exists(targets))
    )


def covers(bulletin: Bulletin, roots: list[str] | None) -> bool:
    """Return True if the bulletin's targets cover part of the areas ``roots``."""
    if roots is None:
        return True
    paths = [a.path for a in bulletin.target_areas.all()] or [
        bulletin.issuing_area.path
    ]
    return any(r.startswith(p) or p.startswith(r) for p in paths for r in roots)


def get_visible(user, pk: int) -> Bulletin:
    """Return bulletin ``pk`` if ``user`` may read its dissemination; 404 otherwise."""
    bulletin = (
        Bulletin.objects.filter(first_published_at__isnull=False)
        .select_related("issuing_area")
        .filter(pk=pk)
        .first()
    )
    if bulletin is None or not covers(bulletin, scope.roots(user, Capability.VIEW)):
        raise Http404
    return bulletin
