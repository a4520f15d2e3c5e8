"""Every change the speech app makes: renders, the voice, the dictionary.

The API other apps use::

    from grassroots.tts import actions as tts
    audio = tts.request_render(text, area=commune)        # queued, returns at once
    audio = tts.render_now(text, area=commune)            # rendered before returning
    audio.status, audio.mp3_url, audio.mp3_sha256, audio.duration_ms

A text already rendered with the same voice and settings is never rendered
again: the existing :class:`RenderedAudio` is returned.
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level

from . import audio as audio_pipeline
from . import speech, storage
from .engines import EngineUnavailable, SynthesisError, get_engine
from .models import Abbreviation, RenderedAudio, SpeechSettings, Status
from .normalize import read_defaults
from .signals import audio_rendered

logger = logging.getLogger(__name__)

#: A render "rendering" for longer than this lost its worker; it may be taken again.
STALE_AFTER = timedelta(minutes=15)
#: How long render_now waits for a worker already rendering the same text.
WAIT_FOR_OTHER_WORKER_S = 120
#: Capabilities that let a user hear how a text will sound.
SPEAKING_CAPABILITIES = (
    Capability.WRITE_BULLETINS,
    Capability.APPROVE_BULLETINS,
    Capability.OPERATE_BROADCASTS,
)


class RenderError(RuntimeError):
    """Raised by :func:`render_now` when the audio could not be made."""


def can_preview(user: Actor, area: Area | None = None) -> bool:
    """Return True if ``user`` may render speech (for ``area``, or anywhere)."""
    if area is None:
        return any(scope.can_anywhere(user, c) for c in SPEAKING_CAPABILITIES)
    return any(scope.can(user, c, area) for c in SPEAKING_CAPABILITIES)


@transaction.atomic
def request_render(
    text: str,
    *,
    area: Area | None = None,
    voice: str | None = None,
    rate: int | None = None,
    chimes: bool | tuple[bool, bool] | None = None,
    actor: Actor = None,
    urgent: bool = False,
    enqueue: bool = True,
) -> RenderedAudio:
    """Return the audio for ``text``: ready if rendered before, else queued.

    ``area`` chooses the province's voice, dictionary and loudness; ``voice``,
    ``rate`` and ``chimes`` (both, or a (before, after) pair) override them.
    ``urgent`` puts the job ahead of the others (emergency bulletins).
    """
    text = speech.check_text(text)
    if actor is not None and not can_preview(actor, area):
        raise PermissionDenied(_("You may not render speech for this area."))
    voicing = speech.voicing_for(area, voice=voice, rate=rate, chimes=chimes)
    spoken = speech.spoken_form(text, area=area, dialect=voicing.dialect)
    if not any(ch.isalnum() for ch in spoken):
        raise ValidationError(_("There is nothing to read in this text."))
    key = speech.content_key(spoken, voicing)
    audio, created = RenderedAudio.objects.get_or_create(
        key=key,
        defaults={
            "text": text,
            "spoken_text": spoken,
            "engine": voicing.engine,
            "voice": voicing.voice,
            "rate": voicing.rate,
            "pitch": voicing.pitch,
            "chime_before": voicing.chime_before,
            "chime_after": voicing.chime_after,
            "target_lufs": voicing.target_lufs,
            "requested_by": actor
            if getattr(actor, "is_authenticated", False)
            else None,
        },
    )
    again = not created and (
        audio.status == Status.FAILED
        or (audio.status == Status.RENDERING and _is_stale(audio))
    )
    if again:
        RenderedAudio.objects.filter(pk=audio.pk).update(
            status=Status.QUEUED, error="", started_at=None
        )
        audio.refresh_from_db()
    if actor is not None:
        audit.record(
            "tts.render_request",
            actor,
            audio,
            area=area,
            data={"key": key, "cached": not (created or again), "urgent": urgent},
            object_repr=text[:120],
        )
    if (created or again) and enqueue:
        _enqueue(audio.pk, urgent=urgent)
    return audio


def _is_stale(audio: RenderedAudio) -> bool:
    return audio.started_at is None or audio.started_at < timezone.now() - STALE_AFTER


def _enqueue(audio_id: int, *, urgent: bool) -> None:
    from .tasks import NORMAL_PRIORITY, URGENT_PRIORITY, render_audio

    priority = URGENT_PRIORITY if urgent else NORMAL_PRIORITY
    transaction.on_commit(lambda: render_audio(audio_id, priority=priority))


def render_now(text: str, **options: Any) -> RenderedAudio:
    """Return the audio for ``text``, rendering it here and now if needed.

    For the command line and emergencies, where waiting for the queue is
    not an option. Raises :class:`RenderError` if it cannot be rendered.
    """
    audio = request_render(text, enqueue=False, **options)
    if not audio.is_ready:
        audio = render(audio.pk)
    deadline = time.monotonic() + WAIT_FOR_OTHER_WORKER_S
    while audio.status == Status.RENDERING and time.monotonic() < deadline:
        time.sleep(0.2)  # a worker is rendering this very text: wait for it
        audio.refresh_from_db()
    if audio.status != Status.READY:
        raise RenderError(audio.error or _("The audio could not be rendered."))
    return audio


def render(audio_id: int) -> RenderedAudio:
    """Render one queued text; the job of the background worker.

    Not one transaction: synthesis takes seconds, and other processes must
    see "rendering" meanwhile. The claim is one conditional UPDATE, so two
    workers never render the same text.
    """
    now = timezone.now()
    claimed = (
        RenderedAudio.objects.filter(pk=audio_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.RENDERING, started_at__lt=now - STALE_AFTER)
            | Q(status=Status.RENDERING, started_at=None)
        )
        .update(status=Status.RENDERING, started_at=now, attempts=F("attempts") + 1)
    )
    audio = RenderedAudio.objects.get(pk=audio_id)
    if not claimed:
        return audio
    try:
        with tempfile.TemporaryDirectory(prefix="grassroots-tts-") as workdir:
            files = _synthesize(audio, Path(workdir))
    except (
        EngineUnavailable,
        SynthesisError,
        audio_pipeline.AudioError,
        OSError,
    ) as exc:
        logger.warning("Rendering audio %s failed: %s", audio_id, exc)
        return _finish(audio, status=Status.FAILED, error=str(exc)[:2000])
    return _finish(audio, status=Status.READY, error="", **files)


def _synthesize(audio: RenderedAudio, workdir: Path) -> dict[str, Any]:
    engine = get_engine()
    wav = workdir / "speech.wav"
    engine.synthesize(
        audio.spoken_text, wav, voice=audio.voice, rate=audio.rate, pitch=audio.pitch
    )
    encoded = audio_pipeline.encode(
        wav,
        workdir,
        target_lufs=audio.target_lufs,
        chime_before=audio.chime_before,
        chime_after=audio.chime_after,
    )
    mp3 = storage.store(encoded.mp3, "mp3")
    opus = storage.store(encoded.opus, "opus")
    return {
        "mp3": mp3.name,
        "mp3_sha256": mp3.sha256,
        "mp3_bytes": mp3.size,
        "opus": opus.name,
        "opus_sha256": opus.sha256,
        "opus_bytes": opus.size,
        "duration_ms": encoded.duration_ms,
        "loudness_lufs": encoded.loudness_lufs,
        "peak_db": encoded.peak_db,
    }


@transaction.atomic
def _finish(audio: RenderedAudio, **fields: Any) -> RenderedAudio:
    fields["rendered_at"] = timezone.now()
    RenderedAudio.objects.filter(pk=audio.pk).update(**fields)
    audio.refresh_from_db()
    transaction.on_commit(
        lambda: audio_rendered.send(sender=RenderedAudio, audio=audio)
    )
    return audio


# Settings and dictionary ------------------------------------------------------


def _require_province_operator(actor: Actor, province: Area) -> None:
    if province.level != Level.PROVINCE:
        raise ValidationError(_("Speech settings belong to a province."))
    if actor is not None:
        scope.require(actor, Capability.OPERATE_BROADCASTS, province)


@transaction.atomic
def save_speech_settings(
    actor: Actor,
    province: Area,
    *,
    voice: str,
    rate: int,
    pitch: int,
    target_lufs: float,
    chime_before: bool,
    chime_after: bool,
) -> SpeechSettings:
    """Set how the province's loudspeakers speak; later renders use it."""
    _require_province_operator(actor, province)
    speech.check_voice(voice)
    found = SpeechSettings.objects.filter(province=province).first()
    chosen = found or SpeechSettings(province=province)
    before = {f: getattr(chosen, f) for f in _SETTINGS_FIELDS} if found else {}
    chosen.voice, chosen.rate, chosen.pitch = voice, rate, pitch
    chosen.target_lufs = target_lufs
    chosen.chime_before, chosen.chime_after = chime_before, chime_after
    chosen.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    chosen.full_clean()
    chosen.save()
    after = {f: getattr(chosen, f) for f in _SETTINGS_FIELDS}
    audit.record(
        "tts.settings_change",
        actor,
        chosen,
        area=province,
        data={"before": before, "after": after},
    )
    return chosen


_SETTINGS_FIELDS = (
    "voice",
    "rate",
    "pitch",
    "target_lufs",
    "chime_before",
    "chime_after",
)


@transaction.atomic
def save_abbreviation(
    actor: Actor,
    province: Area,
    *,
    abbreviation: str,
    spoken: str,
    is_active: bool = True,
    entry: Abbreviation | None = None,
) -> Abbreviation:
    """Add or change an entry of the province's pronunciation dictionary."""
    _require_province_operator(actor, province)
    if entry is not None and entry.province_id != province.pk:
        raise PermissionDenied(_("This entry belongs to another province."))
    entry = entry or Abbreviation(province=province)
    before = (
        {"abbreviation": entry.abbreviation, "spoken": entry.spoken} if entry.pk else {}
    )
    entry.abbreviation = " ".join(abbreviation.split())
    entry.spoken = " ".join(spoken.split())
    entry.is_active = is_active
    if is_active and not entry.spoken:
        raise ValidationError(
            {"spoken": _("Say how the abbreviation is read, or switch it off.")}
        )
    entry.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    entry.full_clean()
    entry.save()
    audit.record(
        "tts.dictionary_change" if before else "tts.dictionary_add",
        actor,
        entry,
        area=province,
        data={
            "before": before,
            "after": {"abbreviation": entry.abbreviation, "spoken": entry.spoken},
            "active": is_active,
        },
    )
    return entry


@transaction.atomic
def delete_abbreviation(actor: Actor, entry: Abbreviation) -> None:
    """Remove a province's entry; a shipped entry of the same name applies again."""
    _require_province_operator(actor, entry.province)
    audit.record(
        "tts.dictionary_delete",
        actor,
        entry,
        area=entry.province,
        data={"abbreviation": entry.abbreviation, "spoken": entry.spoken},
    )
    entry.delete()


@transaction.atomic
def install_default_abbreviations(actor: Actor, province: Area) -> int:
    """Copy the shipped entries the province lacks into its dictionary; return how many.

    Entries the province already has, changed or switched off, are kept.
    """
    _require_province_operator(actor, province)
    have = set(
        Abbreviation.objects.filter(province=province).values_list(
            "abbreviation", flat=True
        )
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    new = [
        Abbreviation(province=province, abbreviation=k, spoken=v, updated_by=user)
        for k, v in read_defaults().items()
        if k not in have
    ]
    Abbreviation.objects.bulk_create(new)
    audit.record(
        "tts.dictionary_install",
        actor,
        province,
        area=province,
        data={"added": len(new)},
    )
    return len(new)
