"""Staff lists of the bulletin library, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.bulletins import actions
from grassroots.bulletins.models import Category, InboxItem, PeerSystem
from grassroots.testing.scope import ScopedEndpoint


def _bulletin(area, marker):
    return actions.create_bulletin(
        None,
        actions.BulletinContent(
            title=marker, category=Category.objects.first(), issuing_area=area
        ),
    )


def _inbox_item(area, marker):
    bulletin = _bulletin(area.parent, marker)
    return InboxItem.objects.create(bulletin=bulletin, commune=area)


def _peer(area, marker):
    return PeerSystem.objects.create(name=marker, area=area)


ENDPOINTS = [
    ScopedEndpoint(
        "console bulletins",
        "/console/bulletins/",
        _bulletin,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
    ScopedEndpoint(
        "console inbox",
        "/console/inbox/",
        _inbox_item,
        Capability.VIEW,
        levels=(Level.COMMUNE,),
    ),
    ScopedEndpoint(
        "api bulletins",
        "/api/v1/bulletins/",
        _bulletin,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
        refused=(401, 403),
        json=True,
    ),
    ScopedEndpoint(
        "console peers",
        "/console/peers/?q={marker_prefix}",
        _peer,
        Capability.MANAGE_USERS,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
]
