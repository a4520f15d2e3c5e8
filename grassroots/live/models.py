"""Live broadcasts: an operator speaks, the chosen areas' clusters hear it at once.

A session is one microphone on the air: who speaks, where, at which level,
its stream (a mount point of our Icecast) and the token that lets a device
listen to it, and, once it ended, why and its recording.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.loudspeakers import playables


class Level(models.TextChoices):
    NORMAL = "normal", _("normal")
    PRIORITY = "priority", _("priority")
    EMERGENCY = "emergency", _("emergency")


class State(models.TextChoices):
    READY = "ready", _("waiting for the microphone")
    ON_AIR = "on_air", _("on air")
    ENDED = "ended", _("ended")


class EndReason(models.TextChoices):
    OPERATOR = "operator", _("ended by the speaker")
    MICROPHONE = "microphone", _("no sound from the microphone")
    NETWORK = "network", _("the speaker's connection was lost")
    STREAM = "stream", _("the stream server stopped taking the sound")
    NEVER_STARTED = "never_started", _("the microphone never started")
    LOST = "lost", _("the web server stopped hearing the microphone")
    TOO_LONG = "too_long", _("longest allowed broadcast reached")


class LiveSession(models.Model):
    """One live broadcast, from the moment it is set up to its recording."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("speaker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The deepest area holding every target: who sees the session.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    target_areas = models.ManyToManyField(
        "areas.Area", verbose_name=_("where"), related_name="+"
    )
    level = models.CharField(
        pgettext_lazy("priority", "level"),
        max_length=10,
        choices=Level.choices,
        default=Level.NORMAL,
    )
    title = models.CharField(_("title"), max_length=200)
    #: The bulletin read out, if any: the broadcast then counts in its
    #: dissemination report like any airing of it.
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin read"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.READY
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=16, choices=EndReason.choices, blank=True
    )
    #: The Icecast mount point, e.g. ``/live-12-k3j9x2.mp3``.
    mount = models.CharField(max_length=100, unique=True)
    #: What a device shows the stream server to listen (in the signed item).
    listener_token = models.CharField(max_length=64)
    #: SHA-256 of the one-time token that opens the microphone socket.
    source_token_hash = models.CharField(max_length=64, blank=True)
    source_token_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("set up"), auto_now_add=True)
    started_at = models.DateTimeField(_("on the air from"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    #: Last time the web process had sound from the microphone.
    heard_at = models.DateTimeField(null=True, blank=True)
    clusters_reached = models.PositiveIntegerField(_("clusters targeted"), default=0)
    peak_listeners = models.PositiveIntegerField(
        _("most clusters listening"), default=0
    )
    recording = models.FileField(
        _("recording"), upload_to="live/", max_length=200, blank=True
    )
    recording_sha256 = models.CharField(max_length=64, blank=True)
    recording_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("live broadcast")
        verbose_name_plural = _("live broadcasts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heard_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_air(self) -> bool:
        return self.state == State.ON_AIR

    @property
    def item_id(self) -> str:
        """Return the playable id devices play and report (proof of play)."""
        if self.bulletin_id is not None:
            return playables.bulletin_item_id(self.bulletin_id, playables.LIVE, self.pk)
        return playables.live_item_id(self.pk)


class LiveListener(models.Model):
    """One connection of a device to a session's stream, as the stream server reports it."""

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="listeners"
    )
    #: Icecast's id of the connection.
    client = models.CharField(max_length=32)
    device = models.CharField(max_length=64, blank=True)
    cluster = models.ForeignKey(
        "loudspeakers.Cluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client"], name="live_listener_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.device or self.client}"
