"""Staff lists of the dissemination app, for the scope harness."""

from django.utils import timezone

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.bulletins import actions
from grassroots.bulletins.models import Bulletin, Category
from grassroots.testing.scope import ScopedEndpoint


def _published(area, marker):
    """Return a bulletin issued in ``area``, marked published (the harness only reads)."""
    bulletin = actions.create_bulletin(
        None,
        actions.BulletinContent(
            title=marker, category=Category.objects.first(), issuing_area=area
        ),
    )
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status="published", first_published_at=timezone.now()
    )
    return bulletin


LEVELS = (Level.PROVINCE, Level.COMMUNE)

ENDPOINTS = [
    ScopedEndpoint(
        "console dissemination",
        "/console/dissemination/?q={marker_prefix}",
        _published,
        Capability.VIEW,
        levels=LEVELS,
    ),
    ScopedEndpoint(
        "api dissemination",
        "/api/v1/dissemination/bulletins/?q={marker_prefix}&limit=200",
        _published,
        Capability.VIEW,
        levels=LEVELS,
        refused=(401, 403),
        json=True,
    ),
]
