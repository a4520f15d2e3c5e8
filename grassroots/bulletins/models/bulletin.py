"""The bulletin: written once, approved, then sent down to every channel."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from grassroots.core.text import fold

#: Rich-text features of a bulletin body: structure, not decoration, so that
#: the same text reads well aloud, on a board and on a phone.
BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


class Level(models.TextChoices):
    """The national priority levels (Circular 39/2020/TT-BTTTT)."""

    NORMAL = "normal", _("normal")
    PRIORITY = "priority", _("priority")
    EMERGENCY = "emergency", _("emergency")


class Status(models.TextChoices):
    """Where a bulletin is in its life; kept by the actions, never by a form."""

    DRAFT = "draft", _("draft")
    RETURNED = "returned", _("returned for changes")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved, not yet valid")
    PUBLISHED = "published", _("published")
    EXPIRED = "expired", pgettext_lazy("bulletin status", "expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Channel(models.TextChoices):
    """Where a published bulletin goes; each has a handler in ``channels``."""

    LOUDSPEAKERS = "loudspeakers", _("loudspeakers")
    BOARDS = "boards", _("e-bulletin boards")
    PORTAL = "portal", _("public portal")


class BulletinQuerySet(models.QuerySet["Bulletin"]):
    def public(self, now=None) -> BulletinQuerySet:
        """Return bulletins citizens may read on the portal right now."""
        now = now or timezone.now()
        return self.filter(
            status=Status.PUBLISHED, live=True, on_portal=True, valid_from__lte=now
        ).filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=now))

    def on_air(self, now=None) -> BulletinQuerySet:
        """Return bulletins the loudspeakers may read right now (published, valid, on them).

        The schedule compiler reads through this, whatever channel events
        arrived: a withdrawn or expired bulletin is never compiled again.
        """
        now = now or timezone.now()
        return self.filter(
            status=Status.PUBLISHED,
            live=True,
            on_loudspeakers=True,
            valid_from__lte=now,
        ).filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=now))


class Bulletin(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
    # Already a base of ClusterableModel; named so that mypy (to which
    # Wagtail's and modelcluster's classes are untyped) sees a Django model.
    models.Model,
):
    """A piece of essential information from one issuing area.

    The row holds the live version once published; later edits are revisions
    that go through approval again. ``status`` is the user-visible state and is
    only changed by :mod:`grassroots.bulletins.actions`.
    """

    uid = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(
        _("summary"),
        max_length=1000,
        blank=True,
        help_text=_("One or two sentences, read first and shown in lists."),
    )
    body = RichTextField(_("body"), features=BODY_FEATURES, blank=True)
    category = models.ForeignKey(
        "bulletins.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="bulletins",
    )
    level = models.CharField(
        _("priority level"),
        max_length=12,
        choices=Level.choices,
        default=Level.NORMAL,
        help_text=_(
            "Normal: the commune decides whether and when to air it. Priority: aired "
            "ahead of normal programmes. Emergency: aired at once, interrupting "
            "everything (disasters, fires, epidemics)."
        ),
    )
    issuing_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("issuing area"),
        on_delete=models.PROTECT,
        related_name="issued_bulletins",
    )
    issuing_agency = models.CharField(
        _("issuing agency"),
        max_length=255,
        blank=True,
        help_text=_("For example “UBND tỉnh Đồng Tháp”."),
    )
    source_reference = models.CharField(
        _("source document"),
        max_length=120,
        blank=True,
        help_text=_(
            "Number and sign of the document it comes from, e.g. KH 119/KH-UBND."
        ),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    target_areas = ParentalManyToManyField(
        "areas.Area",
        verbose_name=_("target areas"),
        related_name="targeted_bulletins",
        blank=True,
        help_text=_("Where it is meant for; the issuing area when left empty."),
    )
    on_loudspeakers = models.BooleanField(_("read on loudspeakers"), default=True)
    on_boards = models.BooleanField(_("shown on e-bulletin boards"), default=True)
    on_portal = models.BooleanField(_("published on the portal"), default=True)
    is_essential = models.BooleanField(
        _("essential information"),
        default=True,
        help_text=_("Counted in the indicator of essential information provided."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_bulletins",
        editable=False,
    )

    # Lifecycle, written by the actions only.
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        editable=False,
    )
    status_changed_at = models.DateTimeField(
        _("status changed"), default=timezone.now, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, editable=False)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    # Exchange with peer systems: a stable identifier per peer.
    peer = models.ForeignKey(
        "bulletins.PeerSystem",
        verbose_name=_("received from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulletins",
        editable=False,
    )
    external_id = models.CharField(
        _("identifier at the peer"), max_length=200, blank=True, editable=False
    )
    external_updated_at = models.DateTimeField(
        _("changed at the peer"), null=True, editable=False
    )

    # Folded (diacritic-free, lowercase) copies for search; see search.py.
    search_title = models.CharField(max_length=255, default="", editable=False)
    search_document = models.TextField(default="", editable=False)

    created_at = models.DateTimeField(
        _("created"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BulletinQuerySet.as_manager()

    #: Row-level facts that belong to the bulletin, not to one of its versions:
    #: publishing an old revision must never roll them back.
    LIFECYCLE_FIELDS = (
        "uid",
        "author_id",
        "status",
        "status_changed_at",
        "approved_by_id",
        "approved_at",
        "withdrawn_by_id",
        "withdrawn_at",
        "withdrawal_reason",
        "peer_id",
        "external_id",
        "external_updated_at",
        "created_at",
    )

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["status", "-first_published_at"], name="bulletin_status_pub"
            ),
            models.Index(
                fields=["issuing_area", "status"], name="bulletin_area_status"
            ),
            models.Index(fields=["category", "status"], name="bulletin_cat_status"),
            models.Index(fields=["level", "status"], name="bulletin_level_status"),
            models.Index(fields=["valid_until"], name="bulletin_valid_until"),
            models.Index(fields=["updated_at"], name="bulletin_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "external_id"],
                condition=models.Q(peer__isnull=False),
                name="bulletin_external_id_unique_per_peer",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Return the bulletin's page on the public portal."""
        return reverse("portal:bulletin", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        return slugify(fold(self.title))[:80] or "ban-tin"

    @property
    def channels(self) -> list[str]:
        """Return the codes of the channels this bulletin goes to."""
        return [c for c in Channel.values if getattr(self, f"on_{c}")]

    @property
    def is_public(self) -> bool:
        now = timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.live
            and self.on_portal
            and self.valid_from <= now
            and (self.valid_until is None or self.valid_until > now)
        )

    def refresh_search_fields(self) -> None:
        """Fill the folded copies used by search from the current content."""
        from .. import search

        self.search_title = fold(self.title)[:255]
        self.search_document = search.document_for(self)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.LIFECYCLE_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    # Preview in the console renders the portal's own page.
    def get_preview_template(self, request, mode_name, **kwargs):
        return "portal/bulletin_preview.html"

    def get_preview_context(self, request, mode_name, **kwargs):
        context = super().get_preview_context(request, mode_name, **kwargs)
        context["bulletin"] = self
        context["targets"] = list(self.target_areas.all())
        # Files not yet stored have no address to play them from.
        context["attachments"] = [a for a in self.attachments.all() if a.pk]
        return context
