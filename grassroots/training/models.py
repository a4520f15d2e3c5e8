"""Training records: the roster of grassroots information staff, courses,
sessions, and who attended and completed them.

The roster is not the list of logins: many hamlet collaborators and station
workers never sign in. A roster entry may link to a staff account when the
person has one.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a course teaches, after the brief's list (work, then IT)."""

    PROFESSIONAL = "professional", _("professional skills")
    AUTHORING = "it_authoring", _("IT for authoring information")
    ARCHIVING = "it_archiving", _("IT for archiving information")
    EQUIPMENT = "equipment", _("operating the technical equipment")


#: Topics that count as "trained in IT" for the indicator.
IT_TOPICS = frozenset({Topic.AUTHORING, Topic.ARCHIVING, Topic.EQUIPMENT})


class Category(models.TextChoices):
    OFFICIAL = "official", _("official or civil servant")
    WORKER = "worker", _("radio station worker")
    COLLABORATOR = "collaborator", _("hamlet collaborator")


def category_choices() -> list[tuple[str, str]]:
    """The categories as shown: collaborators named with the installation's word.

    The model's own label ("hamlet collaborator") is fixed at import time;
    screens ask here so that a northern province reads "thôn", not "ấp".
    """
    from grassroots.areas.words import hamlet_word

    collaborator = gettext("%(hamlet)s collaborator") % {"hamlet": hamlet_word()}
    return [
        (c.value, collaborator if c == Category.COLLABORATOR else str(c.label))
        for c in Category
    ]


class OfficialQuerySet(models.QuerySet["Official"]):
    def on_roster(self, day: datetime.date) -> OfficialQuerySet:
        """Return the entries on the roster on ``day`` (started, not yet left)."""
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=day),
            Q(left_on__isnull=True) | Q(left_on__gt=day),
        )


class Official(models.Model):
    """A person working in grassroots information in an area (roster entry)."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("works in"),
        on_delete=models.PROTECT,
        related_name="training_officials",
    )
    code = models.CharField(
        _("staff code"),
        max_length=40,
        blank=True,
        help_text=_("Optional; unique within the area. Used to match import rows."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    category = models.CharField(
        pgettext_lazy("training", "category"),
        max_length=20,
        choices=Category.choices,
        default=Category.OFFICIAL,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_record",
    )
    needs_training = models.BooleanField(
        _("needs training"),
        default=True,
        help_text=_("Counted in the indicator “share of officials trained”."),
    )
    started_on = models.DateField(_("on the roster since"), null=True, blank=True)
    left_on = models.DateField(
        _("left on"),
        null=True,
        blank=True,
        help_text=_("Set when the person leaves the job; their history is kept."),
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("training roster")
        ordering = ["area__path", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"],
                condition=~Q(code=""),
                name="training_official_code_unique_in_area",
                violation_error_message=_(
                    "Another person of this area already has this staff code."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class Course(models.Model):
    """A training course, organised by a province or a commune."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    title = models.CharField(pgettext_lazy("course", "title"), max_length=255)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    description = models.TextField(_("description"), blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One time a course is held: dates, place and trainer."""

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    place = models.CharField(_("place"), max_length=255)
    trainer = models.CharField(_("trainer"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.course} ({self.starts_on:%d/%m/%Y})"


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ATTENDED = "attended", _("attended, not completed")
    COMPLETED = "completed", _("completed")
    ABSENT = "absent", _("absent")


class Attendance(models.Model):
    """One official in one session: attendance, completion and certificate."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    official = models.ForeignKey(
        Official,
        verbose_name=_("official"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    result = models.CharField(_("result"), max_length=100, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certificate_number = models.CharField(
        _("certificate number"), max_length=40, null=True, blank=True, unique=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["official__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "official"], name="training_attendance_once"
            )
        ]
        # The indicator asks, for each person, "completed anything by this day?"
        indexes = [
            models.Index(
                fields=["official", "status", "completed_on"],
                name="training_attendance_done",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.session}"

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED and self.completed_on is not None
