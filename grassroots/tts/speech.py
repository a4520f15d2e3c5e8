"""What shapes a render besides the text: the province's voice, dictionary and key.

Read-only helpers used by the actions, the console preview and the command
line, so that all three say a text the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grassroots.areas.models import Area, Level

from .engines import Engine, get_engine
from .models import Abbreviation, SpeechSettings
from .normalize import DIALECTS, Lexicon, normalize

#: Bump when the audio pipeline changes in a way that changes the sound.
PIPELINE_VERSION = 1
MAX_TEXT_CHARS = 50_000


@dataclass(frozen=True)
class Voicing:
    """Everything besides the text that decides how the audio sounds."""

    engine: str
    voice: str
    dialect: str
    rate: int
    pitch: int
    chime_before: bool
    chime_after: bool
    target_lufs: float


def province_of(area: Area | None) -> Area | None:
    """Return the province ``area`` lies in (itself for a province)."""
    if area is None:
        return None
    if area.level == Level.PROVINCE:
        return area
    return Area.objects.filter(path=area.ancestor_paths[0]).first()


def settings_for(area: Area | None) -> SpeechSettings:
    """Return the province's speech settings, or unsaved defaults if it has none."""
    province = province_of(area)
    if province is not None:
        found = SpeechSettings.objects.filter(province=province).first()
        if found is not None:
            return found
        return SpeechSettings(province=province)
    return SpeechSettings()


def lexicon_for(area: Area | None) -> Lexicon:
    """Return the shipped dictionary with the province's own entries laid over it."""
    province = province_of(area)
    if province is None:
        return Lexicon.default()
    rows = Abbreviation.objects.filter(province=province).values_list(
        "abbreviation", "spoken", "is_active"
    )
    overrides = [(key, spoken if active else None) for key, spoken, active in rows]
    return Lexicon.default().merged(overrides) if overrides else Lexicon.default()


def check_text(text: str) -> str:
    """Return ``text`` stripped, or raise ValidationError if it cannot be spoken."""
    if not isinstance(text, str):
        raise ValidationError(_("The text must be text."), code="invalid")
    text = text.replace("\x00", "").strip()
    if not text:
        raise ValidationError(_("There is no text to read."), code="empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            _("The text is longer than %(max)d characters; split it.")
            % {"max": MAX_TEXT_CHARS},
            code="too_long",
        )
    return text


def check_voice(voice: str | None, engine: Engine | None = None) -> str | None:
    """Return ``voice`` if the engine has it; raise ValidationError if not."""
    engine = engine or get_engine()
    if voice and not engine.has_voice(voice):
        raise ValidationError(
            _("Unknown voice “%(voice)s”. Choose one of: %(voices)s.")
            % {"voice": voice, "voices": ", ".join(v.id for v in engine.voices)},
            code="unknown_voice",
        )
    return voice or None


def voicing_for(
    area: Area | None,
    *,
    voice: str | None = None,
    rate: int | None = None,
    chimes: bool | tuple[bool, bool] | None = None,
) -> Voicing:
    """Return the voicing for ``area``'s province, with any choice made here."""
    engine = get_engine()
    chosen = settings_for(area)
    spoken_voice = engine.voice(check_voice(voice, engine) or chosen.voice)
    if chimes is None:
        before, after = chosen.chime_before, chosen.chime_after
    elif isinstance(chimes, tuple):
        before, after = chimes
    else:
        before = after = bool(chimes)
    return Voicing(
        engine=engine.identity(),
        voice=spoken_voice.id,
        dialect=spoken_voice.dialect,
        rate=max(engine.min_rate, min(engine.max_rate, rate or chosen.rate)),
        pitch=chosen.pitch,
        chime_before=before,
        chime_after=after,
        target_lufs=float(chosen.target_lufs),
    )


def spoken_form(text: str, *, area: Area | None = None, dialect: str = "south") -> str:
    """Return what the loudspeaker will say for ``text`` in ``area``'s province."""
    return normalize(
        text,
        dialect=DIALECTS.get(dialect, DIALECTS["south"]),
        lexicon=lexicon_for(area),
    )


def content_key(spoken: str, voicing: Voicing) -> str:
    """Return the SHA-256 naming this render: same inputs, same key, one render."""
    payload = {"v": PIPELINE_VERSION, "text": spoken, **asdict(voicing)}
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(data).hexdigest()
