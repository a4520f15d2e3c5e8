"""Staff lists of the CAP app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint


def _alert(area, marker):
    from grassroots.bulletins.models import Category, PeerSystem
    from grassroots.cap.models import CapSource, Outcome, ReceivedAlert

    province = area
    while province.parent_id:
        province = province.parent
    peer, _ = PeerSystem.objects.get_or_create(
        name=f"cap-{province.code}", defaults={"area": province}
    )
    source, _ = CapSource.objects.get_or_create(
        peer=peer, defaults={"category": Category.objects.first()}
    )
    return ReceivedAlert.objects.create(
        source=source,
        area=area,
        outcome=Outcome.WAITING,
        headline=marker,
        identifier=marker,
    )


ENDPOINTS = [
    ScopedEndpoint(
        "console cap warnings",
        "/console/cap/",
        _alert,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
]
