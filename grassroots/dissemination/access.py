"""Which bulletins a user may see the dissemination of: the scope rule, both ways.

A bulletin is visible when it was issued in the user's area or targets part
of it; the report then shows only the hamlets, clusters and boards inside
the user's area.
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


def get_visible(user, pk: int) -> Bulletin:
    """Return bulletin ``pk`` if ``user`` may read its dissemination; 404 otherwise."""
    bulletin = visible(user).select_related("issuing_area").filter(pk=pk).first()
    if bulletin is None:
        raise Http404
    return bulletin
