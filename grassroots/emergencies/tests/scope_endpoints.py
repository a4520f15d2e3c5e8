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


def _plan(area, marker):
    from django.utils import timezone

    from grassroots.emergencies.models import DrillPlan

    soon = timezone.now() + timezone.timedelta(days=1)
    plan = DrillPlan.objects.create(
        area=area, title=marker, first_at=soon, next_at=soon
    )
    plan.target_areas.set([area])
    return plan


def _drill(area, marker):
    from django.utils import timezone

    from grassroots.emergencies.models import Emergency
    from grassroots.tts.models import RenderedAudio

    audio = RenderedAudio.objects.create(
        key=("d" + marker).ljust(64, "0")[:64],
        text="drill",
        spoken_text="drill",
        engine="memory",
        voice="south",
        rate=150,
        target_lufs=-16,
    )
    now = timezone.now()
    drill = Emergency.objects.create(
        drill=True,
        area=area,
        title=marker,
        text="drill",
        audio=audio,
        started_at=now,
        updated_at=now,
    )
    drill.target_areas.set([area])
    return drill


ENDPOINTS = [
    ScopedEndpoint(
        "console emergencies",
        "/console/emergencies/",
        _emergency,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
    ScopedEndpoint(
        "console planned drills",
        "/console/emergencies/?drill=1",
        _plan,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
    ScopedEndpoint(
        "console drills held",
        "/console/emergencies/?drill=1",
        _drill,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET),
    ),
]
