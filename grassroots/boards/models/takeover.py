"""Emergency takeovers: one message replaces everything on the boards of its areas."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TakeoverSource(models.TextChoices):
    BROADCAST = "broadcast", _("emergency broadcast")
    BULLETIN = "bulletin", _("emergency bulletin")


class TakeoverQuerySet(models.QuerySet["Takeover"]):
    def active(self) -> TakeoverQuerySet:
        return self.filter(released_at__isnull=True)

    def for_path(self, path: str) -> TakeoverQuerySet:
        """Return takeovers whose areas contain the area at ``path``."""
        parts = path.rstrip("/").split("/")
        ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        return self.filter(areas__path__in=ancestors).distinct()


class Takeover(models.Model):
    """An emergency shown full screen on every board under its areas until released.

    ``emergency_id`` is the caller's identifier (the broadcasts app's, or
    ``bulletin-<pk>`` for an emergency bulletin), so calling again is safe.
    """

    emergency_id = models.CharField(_("emergency"), max_length=100, unique=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=TakeoverSource.choices,
        default=TakeoverSource.BROADCAST,
    )
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_takeovers",
    )
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), max_length=5000, blank=True)
    level = models.CharField(_("priority level"), max_length=12, default="emergency")
    area_paths = models.JSONField(_("areas"), default=list)
    areas = models.ManyToManyField(
        "areas.Area", verbose_name=_("areas"), related_name="board_takeovers"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by_name = models.CharField(_("started by"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    released_at = models.DateTimeField(_("ended"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_by_name = models.CharField(_("ended by"), max_length=200, blank=True)

    objects = TakeoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency on the boards")
        verbose_name_plural = _("emergencies on the boards")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["released_at"], name="takeover_released")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    @property
    def key(self) -> str:
        return f"emergency:{self.emergency_id}"

    def as_message(self) -> dict:
        """Return what the player needs to show it (also sent in the push event)."""
        return {
            "id": self.emergency_id,
            "key": self.key,
            "title": self.title,
            "text": self.text,
            "level": self.level,
            "started_at": self.started_at.isoformat(),
        }
