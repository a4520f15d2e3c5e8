"""Rendered audio, each province's voice, and each province's pronunciation dictionary."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.areas.models import Area, Level

MIN_LUFS, MAX_LUFS, DEFAULT_LUFS = -24.0, -14.0, -16.0
DEFAULT_RATE = 145
DEFAULT_VOICE = "vi-vn-x-south"
#: After this long in the queue the console says the worker may not be running.
QUEUE_WARNING_S = 30


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    RENDERING = "rendering", _("rendering")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class RenderedAudio(models.Model):
    """One spoken text, rendered once and kept by the hash of all that shaped it.

    ``key`` is the SHA-256 of the spoken text, engine, voice, rate, pitch,
    chimes, loudness target and pipeline version: the same inputs never
    render twice. The files themselves are stored under their own SHA-256
    (``audio/ab/abcd….mp3``), so a device downloads by hash and checks it.
    """

    key = models.CharField(_("content key"), max_length=64, unique=True)
    text = models.TextField(_("text as written"))
    spoken_text = models.TextField(_("text as spoken"))
    engine = models.CharField(_("engine"), max_length=100)
    voice = models.CharField(_("voice"), max_length=60)
    rate = models.PositiveSmallIntegerField(_("speed (words a minute)"))
    pitch = models.PositiveSmallIntegerField(_("pitch"), default=50)
    chime_before = models.BooleanField(_("chime before"), default=True)
    chime_after = models.BooleanField(_("chime after"), default=True)
    target_lufs = models.FloatField(_("loudness target (LUFS)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    mp3 = models.FileField(_("MP3 file"), max_length=200, blank=True)
    mp3_sha256 = models.CharField(_("MP3 SHA-256"), max_length=64, blank=True)
    mp3_bytes = models.PositiveIntegerField(_("MP3 size (bytes)"), null=True)
    opus = models.FileField(_("Opus file"), max_length=200, blank=True)
    opus_sha256 = models.CharField(_("Opus SHA-256"), max_length=64, blank=True)
    opus_bytes = models.PositiveIntegerField(_("Opus size (bytes)"), null=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    loudness_lufs = models.FloatField(_("measured loudness (LUFS)"), null=True)
    peak_db = models.FloatField(_("measured peak (dBFS)"), null=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("rendering started"), null=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True)

    class Meta:
        verbose_name = _("rendered audio")
        verbose_name_plural = _("rendered audio")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY

    @property
    def is_pending(self) -> bool:
        return self.status in (Status.QUEUED, Status.RENDERING)

    @property
    def waiting_too_long(self) -> bool:
        """Return True if the job has waited so long that the worker may be down."""
        from django.utils import timezone

        return (
            self.status == Status.QUEUED
            and self.created_at is not None
            and (timezone.now() - self.created_at).total_seconds() > QUEUE_WARNING_S
        )

    @property
    def duration_text(self) -> str:
        """Return the length as m:ss."""
        seconds = round((self.duration_ms or 0) / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def mp3_url(self) -> str:
        return self.mp3.url if self.mp3 else ""

    @property
    def opus_url(self) -> str:
        return self.opus.url if self.opus else ""


class SpeechSettings(models.Model):
    """How a province's loudspeakers speak: voice, speed, loudness and chimes."""

    province = models.OneToOneField(
        Area,
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="speech_settings",
        limit_choices_to={"level": Level.PROVINCE},
    )
    voice = models.CharField(_("voice"), max_length=60, default=DEFAULT_VOICE)
    rate = models.PositiveSmallIntegerField(
        _("speed (words a minute)"),
        default=DEFAULT_RATE,
        validators=[MinValueValidator(80), MaxValueValidator(260)],
        help_text=_("Around 130-160 is clear for outdoor loudspeakers."),
    )
    pitch = models.PositiveSmallIntegerField(
        _("pitch"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
    )
    target_lufs = models.FloatField(
        _("loudness target (LUFS)"),
        default=DEFAULT_LUFS,
        validators=[MinValueValidator(MIN_LUFS), MaxValueValidator(MAX_LUFS)],
        help_text=_(
            "Every bulletin is brought to this loudness, so that no announcement "
            "is much louder or quieter than the one before. -16 suits loudspeakers."
        ),
    )
    chime_before = models.BooleanField(
        _("chime before each announcement"), default=True
    )
    chime_after = models.BooleanField(_("chime after each announcement"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("speech settings")
        verbose_name_plural = _("speech settings")

    def __str__(self) -> str:
        return str(self.province)


class Abbreviation(models.Model):
    """A province's entry in the pronunciation dictionary.

    It overrides the shipped entry with the same abbreviation, adds a new
    one, or, switched off, stops the shipped one (the letters are then spelled).
    """

    province = models.ForeignKey(
        Area,
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="abbreviations",
        limit_choices_to={"level": Level.PROVINCE},
    )
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=40,
        help_text=_(
            "As officials write it, e.g. UBND or TP.HCM. With capital letters it "
            "matches exactly; in small letters it matches in any case."
        ),
    )
    spoken = models.CharField(
        _("say it as"),
        max_length=200,
        blank=True,
        help_text=_("The words the loudspeaker says, e.g. Ủy ban nhân dân."),
    )
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "Switch off to stop a shipped entry; the letters are then spelled."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dictionary entry")
        verbose_name_plural = _("pronunciation dictionary")
        ordering = ["abbreviation"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "abbreviation"],
                name="tts_abbreviation_unique_in_province",
            )
        ]

    def __str__(self) -> str:
        return self.abbreviation
