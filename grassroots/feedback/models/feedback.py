from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.core.private_files import private_storage

from ..codes import new_public_id


class Channel(models.TextChoices):
    """How the feedback reached us; staff record the offline ones."""

    WEB = "web", _("web form")
    OPEN311 = "open311", _("app (Open311)")
    PHONE = "phone", _("phone")
    IN_PERSON = "in_person", _("in person")
    MAIL = "mail", _("letter")


#: Channels staff record on a citizen's behalf.
OFFLINE_CHANNELS = (Channel.PHONE, Channel.IN_PERSON, Channel.MAIL)


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("feedback", "received")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS)
DONE_STATUSES = (Status.ANSWERED, Status.CLOSED)


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def open(self) -> FeedbackQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today) -> FeedbackQuerySet:
        return self.open().filter(due_date__lt=today)


class Feedback(models.Model):
    """One piece of citizen feedback (phản ánh, kiến nghị), from intake to close.

    ``area`` is the unit responsible for handling it (a commune, or the
    province when the place is unknown) and decides who sees it; ``place``
    is where the problem is, as precisely as known. ``answered_at`` against
    ``due_date`` says whether it was handled on time.
    """

    # Not shown in Wagtail's "usage" views; indexing it costs a query per save.
    wagtail_reference_index_ignore = True

    code = models.CharField(_("tracking code"), max_length=12, unique=True)
    #: What public lists (Open311, the portal) call the item; the tracking code
    #: is the citizen's secret and never listed.
    public_id = models.CharField(
        _("public identifier"),
        max_length=20,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    category = models.ForeignKey(
        "feedback.Category",
        verbose_name=pgettext_lazy("feedback", "category"),
        on_delete=models.PROTECT,
        related_name="feedback",
        db_index=False,
    )
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    place = models.ForeignKey(
        "areas.Area",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="feedback_placed",
        null=True,
        blank=True,
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    citizen_name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    api_client = models.ForeignKey(
        "feedback.ApiClient",
        verbose_name=_("Open311 client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
        db_index=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_assigned",
    )
    received_at = models.DateTimeField(
        pgettext_lazy("feedback", "received"), default=timezone.now
    )
    due_date = models.DateField(_("deadline"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "areas.Area",
        verbose_name=_("escalated to"),
        on_delete=models.PROTECT,
        related_name="feedback_escalated",
        db_index=False,
        null=True,
        blank=True,
    )
    public_answer = models.TextField(_("public answer"), blank=True)
    show_on_portal = models.BooleanField(
        _("show on the portal"),
        default=False,
        help_text=_(
            "Publish the description and the public answer, without personal data."
        ),
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("likely duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_duplicates",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at"]
        # Every index costs each intake a write: foreign keys that are only
        # followed from the item (handler, client, recorder) have none of their
        # own, and ``category`` is the first column of the composite ones.
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["category", "area", "received_at"]),
            # Duplicate search: same category and unit, near the same point or place.
            models.Index(fields=["category", "area", "latitude"]),
            models.Index(fields=["category", "place", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} — {self.category}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:track", args=[self.code])

    @property
    def display_code(self) -> str:
        """Return the code as citizens read it aloud: two groups of five."""
        from ..codes import display

        return display(self.code)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def commune(self):
        """Return the commune the place lies in, if known."""
        return self.place.commune if self.place is not None else None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date < today

    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return timezone.localtime(self.answered_at).date() <= self.due_date


class EventKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("feedback", "received")
    ASSIGNED = "assigned", _("assigned")
    REASSIGNED = "reassigned", _("sent to another unit")
    STARTED = "started", _("handling started")
    ANSWERED = "answered", _("answered")
    NOTE = "note", _("internal note")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened by the citizen")
    WARNED = "warned", _("deadline warning")
    ESCALATED = "escalated", _("escalated")
    MERGED = "merged", _("merged as a duplicate")
    NOT_DUPLICATE = "not_duplicate", _("marked as not a duplicate")
    VISIBILITY = "visibility", _("portal visibility changed")


class Event(models.Model):
    """One step in an item's history: the timeline staff and citizens read.

    ``is_public`` events show on the tracking page; notes and private
    answers never do.
    """

    # Not shown in Wagtail's "usage" views; indexing it costs a query per save.
    wagtail_reference_index_ignore = True

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(_("status after"), max_length=20, choices=Status.choices)
    from_area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    to_area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    text = models.TextField(_("text"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback.code} {self.kind}"


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("photo")
    AUDIO = "audio", _("audio")
    DOCUMENT = "document", _("document")


def attachment_path(instance: Attachment, filename: str) -> str:
    """Return an unguessable storage name (nothing of the code or the phone's name)."""
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"feedback/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A photo or recording from the citizen, or a document with an answer.

    Citizens' files may show faces and number plates, so they are never
    public; files attached to a public answer are. All are kept in the
    private storage and handed out by views that check who asks.
    """

    # Not shown in Wagtail's "usage" views; indexing it costs a query per save.
    wagtail_reference_index_ignore = True

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    is_public = models.BooleanField(_("public"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
