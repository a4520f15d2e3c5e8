"""Demo: Đồng Tháp speaks with the Southern voice and has the shipped dictionary."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE

from . import actions
from .models import Abbreviation, SpeechSettings


def load(out: Callable[[str], None]) -> None:
    province = Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    if not SpeechSettings.objects.filter(province=province).exists():
        actions.save_speech_settings(
            None,
            province,
            voice="vi-vn-x-south",
            rate=145,
            pitch=50,
            target_lufs=-16.0,
            chime_before=True,
            chime_after=True,
        )
    added = 0
    if not Abbreviation.objects.filter(province=province).exists():
        added = actions.install_default_abbreviations(None, province)
        # Đồng Tháp's own words: "khóm" is the urban hamlet of the Mekong delta.
        actions.save_abbreviation(None, province, abbreviation="K.", spoken="khóm")
    out(f"Speech: Southern voice for {province.name}, {added} dictionary entries")


def banner() -> list[str]:
    url = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
    return [f"  Listen to a text (text-to-speech): {url}/console/speech/"]
