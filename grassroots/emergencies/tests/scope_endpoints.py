"""Staff lists of the emergencies app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint


def _emergency(area, marker):
    from django.utils import timezone

    from grassroots.bulletins.models import Bulletin, Category, Level, Status
    from grassroots.emergencies.models import Emergency, State
    from grassroots.tts.models import RenderedAudio

    bulletin = Bulletin.objects.create(
        title=marker,
        category=Category.objects.first(),
        level=Level.EMERGENCY,
        status=Status.PUBLISHED,
        issuing_area=area,
    )
    audio = RenderedAudio.objects.create(
        key=marker.ljust(64, "0")[:64],
        text=marker,
        spoken_text=marker,
        engine="memory",
        voice="south",
        rate=150,
        target_lufs=-16,
    )
    now = timezone.now()
    emergency = Emergency.objects.create(
        bulletin=bulletin,
        area=area,
        title=marker,
        text=marker,
        audio=audio,
        state=State.ACTIVE,
        started_at=now,
        updated_at=now,
    )
    emergency.target_areas.set([area])
    return emergency


ENDPOINTS = [
    ScopedEndpoint(
        "console emergencies",
        "/console/emergencies/",
        _emergency,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
]
