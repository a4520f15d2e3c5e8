"""Files that go with a bulletin: recorded audio, photos, video, PDF documents."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from grassroots.core.private_files import private_storage


class AttachmentKind(models.TextChoices):
    AUDIO = "audio", _("audio")
    IMAGE = "image", _("image")
    VIDEO = "video", _("video")
    DOCUMENT = "document", _("PDF document")


def attachment_path(instance: Attachment, filename: str) -> str:
    """Return an unguessable storage name; the extension comes from the content."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"bulletins/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


# models.Model is already a base of Orderable; named for mypy, to which
# Wagtail's classes are untyped.
class Attachment(Orderable, models.Model):
    """One file of a bulletin; checked by its content when it arrives (files.py).

    Kept in the private storage: reachable through the console while a draft
    (``attachments.py``), by the public once the bulletin is.
    """

    bulletin = ParentalKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=private_storage, max_length=255
    )
    title = models.CharField(
        _("caption"),
        max_length=200,
        blank=True,
        help_text=_("What it is, for people who cannot see or hear it."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, editable=False
    )
    content_type = models.CharField(max_length=60, editable=False)
    original_name = models.CharField(_("original name"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    duration_s = models.FloatField(_("duration in seconds"), null=True, editable=False)

    panels: list = []  # set in viewsets.py, next to the bulletin's panels

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def label(self) -> str:
        return self.title or self.original_name or self.get_kind_display()
