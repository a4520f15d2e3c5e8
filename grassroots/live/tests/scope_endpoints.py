"""Staff lists of the live broadcasts app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint


def _session(area, marker):
    import secrets

    from grassroots.live.models import LiveSession, State

    session = LiveSession.objects.create(
        area=area,
        title=marker,
        state=State.ENDED,
        mount=f"/live-{secrets.token_hex(8)}.mp3",
        listener_token=secrets.token_urlsafe(24),
    )
    session.target_areas.set([area])
    return session


ENDPOINTS = [
    ScopedEndpoint(
        "console live broadcasts",
        "/console/live/",
        _session,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
]
