"""What the server sent to devices: commands and versioned schedules."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .registry import Cluster


class CommandAction(models.TextChoices):
    PLAY_NOW = "play_now", _("play now")
    STOP = "stop", _("stop")
    VOLUME = "volume", _("set volume")
    POWER = "power", _("power on/off")
    REBOOT = "reboot", _("reboot")
    SYNC = "sync", _("sync")


class Command(models.Model):
    """A command sent to one cluster or to every cluster of an area (one publish)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.CharField(
        _("command"), max_length=12, choices=CommandAction.choices
    )
    args = models.JSONField(_("arguments"), default=dict, blank=True)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commands",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="loudspeaker_commands",
        help_text=_("The cluster's area, or the area whose clusters all receive it."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("command", "issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(pgettext_lazy("command", "issued"))
    expires_at = models.DateTimeField(_("expires"))
    #: How many clusters it was meant for when sent.
    targets = models.PositiveIntegerField(_("clusters targeted"), default=1)

    class Meta:
        verbose_name = _("command")
        verbose_name_plural = _("commands")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} → {self.cluster or self.area}"


class Schedule(models.Model):
    """A schedule document sent to one cluster; versions only grow."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="schedules"
    )
    version = models.BigIntegerField(_("version"))
    document = models.JSONField(pgettext_lazy("schedule", "document"))
    items = models.PositiveIntegerField(pgettext_lazy("schedule", "items"), default=0)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "version"], name="schedule_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} v{self.version}"
