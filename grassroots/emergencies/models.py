"""Emergency broadcasts: a bulletin aired at once on every cluster of some areas."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.loudspeakers import playables


class State(models.TextChoices):
    ACTIVE = "active", _("on air")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("ended")


class Source(models.TextChoices):
    CONSOLE = "console", _("started in the console")
    BULLETIN = "bulletin", _("emergency bulletin approved")


MAX_REPEAT = 50


class Emergency(models.Model):
    """One emergency on the air: what is read, where, how often, and who decided.

    ``rev`` grows with every update (new words, audio, repeat or areas); the
    devices acknowledge each rev. ``area`` is the deepest area holding all the
    targets: it decides who sees the emergency in the console.
    """

    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        on_delete=models.PROTECT,
        related_name="emergencies",
    )
    source = models.CharField(
        _("how it started"),
        max_length=10,
        choices=Source.choices,
        default=Source.CONSOLE,
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_areas = models.ManyToManyField(
        "areas.Area", verbose_name=_("areas"), blank=True, related_name="+"
    )
    target_clusters = models.ManyToManyField(
        "loudspeakers.Cluster",
        verbose_name=_("loudspeaker clusters"),
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text read"), max_length=5000)
    audio = models.ForeignKey(
        "tts.RenderedAudio",
        verbose_name=_("audio"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    repeat = models.PositiveSmallIntegerField(
        _("times aired"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REPEAT)],
    )
    gap_s = models.PositiveSmallIntegerField(_("pause between repeats (s)"), default=5)
    rev = models.PositiveIntegerField(_("revision"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ACTIVE
    )
    #: The boards' takeover this emergency drives (boards.Takeover.emergency_id).
    takeover_id = models.CharField(max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("updated"))
    expires_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    #: Whether the broker confirmed the last publication on every topic.
    delivered = models.BooleanField(_("confirmed by the broker"), default=False)

    class Meta:
        verbose_name = _("emergency broadcast")
        verbose_name_plural = _("emergency broadcasts")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state == State.ACTIVE

    @property
    def item_id(self) -> str:
        """Return the playable id the devices play and acknowledge."""
        return playables.bulletin_item_id(
            self.bulletin_id, playables.EMERGENCY, self.pk
        )


class TopicRevision(models.Model):
    """The last ``rev`` published on one emergency topic (an area's or a cluster's).

    Devices ignore a list older than the one they hold, so the rev must only
    grow, even across a database restored from a backup: it is at least the
    time in milliseconds.
    """

    topic = models.CharField(max_length=200, unique=True)
    rev = models.BigIntegerField(default=0)
    published_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.topic}: {self.rev}"
