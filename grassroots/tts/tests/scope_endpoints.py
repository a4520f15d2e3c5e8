"""Staff lists of the speech app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint
from grassroots.tts.models import Abbreviation


def _entry(area, marker):
    return Abbreviation.objects.create(
        province=area, abbreviation=marker, spoken=f"{marker} words"
    )


ENDPOINTS = [
    ScopedEndpoint(
        "console pronunciation dictionary",
        "/console/speech-dictionary/?q={marker_prefix}",
        _entry,
        Capability.VIEW,
        levels=(Level.PROVINCE,),
    ),
]
