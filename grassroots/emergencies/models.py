"""Emergency broadcasts: a bulletin aired at once on every cluster of some areas.

A drill is an emergency broadcast marked as a test from end to end
(``Emergency.drill``): no bulletin, its own words framed by a spoken
warning that it is a test, and its plan (``DrillPlan``) when it was
scheduled.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from grassroots.loudspeakers import playables


class State(models.TextChoices):
    ACTIVE = "active", _("on air")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("ended")
    #: A drill cut short because a real emergency went on the air there.
    PREEMPTED = "preempted", _("stopped by a real emergency")


class Source(models.TextChoices):
    CONSOLE = "console", _("started in the console")
    BULLETIN = "bulletin", _("emergency bulletin approved")
    PLAN = "plan", _("planned drill")


MAX_REPEAT = 50
#: The longest a drill stays on the air before it ends by itself.
MAX_DRILL_MINUTES = 240
DRILL_ITEM_PREFIX = "drill:"
_BYDAY = re.compile(r"BYDAY=([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)")
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Emergency(models.Model):
    """One emergency on the air: what is read, where, how often, and who decided.

    ``rev`` grows with every update (new words, audio, repeat or areas); the
    devices acknowledge each rev. ``area`` is the deepest area holding all the
    targets: it decides who sees the emergency in the console.
    """

    #: The emergency bulletin aired; None for a drill (it airs no bulletin).
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergencies",
    )
    #: A test of the warning system: marked on devices, boards and reports,
    #: and never counted as information disseminated.
    drill = models.BooleanField(_("drill"), default=False)
    plan = models.ForeignKey(
        "DrillPlan",
        verbose_name=_("planned drill"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drills",
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
        """Return the playable id the devices play and acknowledge.

        A drill's id names no bulletin (``drill:{pk}``), so its proof of play
        never counts as a bulletin heard.
        """
        if self.drill or self.bulletin_id is None:
            return f"{DRILL_ITEM_PREFIX}{self.pk}"
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


class Recurrence(models.TextChoices):
    ONCE = "once", _("once")
    WEEKLY = "weekly", _("every week, on the same day")
    MONTHLY = "monthly", _("every month, on the same weekday of the same week")


class PlanState(models.TextChoices):
    PLANNED = "planned", _("planned")
    FINISHED = "finished", _("no more runs")
    CANCELLED = "cancelled", _("cancelled")


class DrillPlan(models.Model):
    """A drill planned for a date and time, once or again every week or month.

    The worker starts each run by itself (``actions.start_due_drills``);
    ``next_at`` is the next run, None once there is none left. ``rrule`` is
    the recurrence the action derived from the first date (e.g.
    ``FREQ=MONTHLY;BYDAY=+1MO``: the first Monday), expanded by the
    broadcasts app's rule parser in local time.
    """

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
    #: The words between the spoken test warnings (added at each run).
    text = models.TextField(_("text read"), max_length=5000, blank=True)
    repeat = models.PositiveSmallIntegerField(
        _("times aired"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REPEAT)],
    )
    gap_s = models.PositiveSmallIntegerField(_("pause between repeats (s)"), default=5)
    duration_min = models.PositiveSmallIntegerField(
        _("ends after (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DRILL_MINUTES)],
    )
    recurrence = models.CharField(
        _("repeats"),
        max_length=10,
        choices=Recurrence.choices,
        default=Recurrence.ONCE,
    )
    first_at = models.DateTimeField(_("first run"))
    rrule = models.CharField(_("recurrence rule"), max_length=200, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    next_at = models.DateTimeField(_("next run"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PlanState.choices, default=PlanState.PLANNED
    )
    #: Why the last run did not start (speech engine down, a real emergency
    #: on the air, the planner's role gone), in the words shown to staff.
    last_problem = models.CharField(_("last problem"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("planned"), auto_now_add=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("planned drill")
        verbose_name_plural = _("planned drills")
        ordering = ["next_at", "pk"]
        indexes = [models.Index(fields=["state", "next_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_planned(self) -> bool:
        return self.state == PlanState.PLANNED

    def recurrence_text(self) -> str:
        """Return how often it runs in plain words ("every month, the first Monday")."""
        match = _BYDAY.search(self.rrule or "")
        if match is None:
            return str(Recurrence.ONCE.label)
        day = WEEKDAYS[_DAY_CODES.index(match.group(2))]
        nth = int(match.group(1) or 0)
        if nth == 0:
            return _("every week, on %(day)s") % {"day": day}
        if nth == 1:
            return _("every month, the first %(day)s") % {"day": day}
        if nth == -1:
            return _("every month, the last %(day)s") % {"day": day}
        return _("every month, %(day)s of week %(n)d") % {"day": day, "n": nth}
