"""Programme items, groups of clusters, and the schedules that put items on air.

A programme item is *what* airs (a bulletin read aloud or its recorded audio,
an uploaded recording, or a relay of an upstream station); a programme
schedule is *when and where* (a recurrence rule, a time of day, targets). The
compiler (``compiler.py``) turns the active schedules into each cluster's
48-hour schedule document of the device protocol.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.areas.models import Area


class Source(models.TextChoices):
    """Where the sound of a programme item comes from."""

    BULLETIN = "bulletin", _("bulletin (read aloud or its recorded audio)")
    RECORDING = "recording", _("uploaded recording")
    RELAY = "relay", _("relay of an upstream station")


class Priority(models.TextChoices):
    """The national levels a schedule may use; emergencies have their own action."""

    NORMAL = "normal", _("normal")
    PRIORITY = "priority", _("priority")


#: Rank of each level on the device (higher pre-empts lower).
RANK = {"normal": 0, "priority": 1, "emergency": 2}


class Rule(models.TextChoices):
    ONCE = "once", _("once")
    DAILY = "daily", _("every day")
    WEEKLY = "weekly", _("every week, on chosen days")
    RRULE = "rrule", _("custom recurrence (RFC 5545 RRULE)")


def recording_path(instance: ProgrammeItem, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "mp3"
    return f"broadcasts/{uuid.uuid4().hex}.{ext}"


class ProgrammeItem(models.Model):
    """Something the loudspeakers can air, owned by one area."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("owning area"),
        on_delete=models.PROTECT,
        related_name="programme_items",
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.BULLETIN
    )
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="programme_items",
    )
    recording = models.FileField(
        _("recording"), upload_to=recording_path, max_length=200, blank=True
    )
    recording_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    recording_bytes = models.PositiveBigIntegerField(null=True, editable=False)
    relay_url = models.CharField(
        _("relay address"),
        max_length=2048,
        blank=True,
        help_text=_("The stream of the provincial or national station, e.g. https://…"),
    )
    duration_s = models.FloatField(
        _("duration (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(86400)],
        help_text=_("Required for a relay; measured for audio."),
    )
    chime_before = models.BooleanField(_("chime before"), default=True)
    chime_after = models.BooleanField(_("chime after"), default=True)
    essential = models.BooleanField(
        _("essential information"),
        default=False,
        help_text=_("Counted in the indicators of essential information."),
    )
    audio = models.ForeignKey(
        "tts.RenderedAudio",
        verbose_name=_("spoken audio"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Withdrawn or expired bulletins take their items off the air."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ClusterGroup(models.Model):
    """A named set of clusters within one area, to target them together."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="cluster_groups",
    )
    name = models.CharField(_("name"), max_length=120)
    clusters = models.ManyToManyField(
        "loudspeakers.Cluster",
        verbose_name=_("clusters"),
        related_name="broadcast_groups",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("group of clusters")
        verbose_name_plural = _("groups of clusters")
        ordering = ["area__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"], name="broadcasts_group_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeSchedule(models.Model):
    """When and where one programme item airs."""

    item = models.ForeignKey(
        ProgrammeItem,
        verbose_name=_("programme item"),
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("owning area"),
        on_delete=models.PROTECT,
        related_name="programme_schedules",
    )
    rule = models.CharField(
        _("repeats"), max_length=8, choices=Rule.choices, default=Rule.ONCE
    )
    starts_on = models.DateField(_("from (date)"))
    ends_on = models.DateField(_("until (date)"), null=True, blank=True)
    at = models.TimeField(_("time of day"))
    weekdays = models.CharField(
        _("days of the week"),
        max_length=20,
        blank=True,
        help_text=_("For weekly schedules: 0 = Monday … 6 = Sunday."),
    )
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=500,
        blank=True,
        help_text=_("For example FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10."),
    )
    window_minutes = models.PositiveSmallIntegerField(
        _("may start up to (minutes late)"),
        default=10,
        validators=[MaxValueValidator(1440)],
        help_text=_(
            "A device that cannot start it within this window reports it missed."
        ),
    )
    repeat = models.PositiveSmallIntegerField(
        _("times in a row"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    gap_s = models.PositiveIntegerField(
        _("gap between repeats (seconds)"),
        default=0,
        validators=[MaxValueValidator(3600)],
    )
    priority = models.CharField(
        pgettext_lazy("broadcast", "priority"),
        max_length=10,
        choices=Priority.choices,
        default=Priority.NORMAL,
    )
    order = models.IntegerField(
        _("order"),
        default=0,
        help_text=_("Where two items start together, the lower number airs first."),
    )
    target_areas = models.ManyToManyField(
        Area,
        verbose_name=_("target areas"),
        related_name="+",
        blank=True,
    )
    target_groups = models.ManyToManyField(
        ClusterGroup,
        verbose_name=_("target groups"),
        related_name="schedules",
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("programme schedule")
        verbose_name_plural = _("programme schedules")
        ordering = ["starts_on", "at", "order", "pk"]
        indexes = [models.Index(fields=["is_active", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.item} · {self.at:%H:%M}"

    @property
    def weekday_list(self) -> list[int]:
        return sorted(
            {int(d) for d in self.weekdays.split(",") if d.strip().isdigit()}
            & set(range(7))
        )

    @property
    def duration(self) -> datetime.timedelta:
        """Return how long one occurrence lasts, repeats and gaps included."""
        one = self.item.duration_s or 0
        return datetime.timedelta(
            seconds=one * self.repeat + self.gap_s * (self.repeat - 1)
        )


class CompileRequest(models.Model):
    """A cluster whose schedule must be compiled again; drained by the worker.

    Bursts of changes add rows (one per cluster at most) and the job sends
    each cluster once, however many changes touched it.
    """

    cluster = models.OneToOneField(
        "loudspeakers.Cluster", on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"compile {self.cluster_id}"
