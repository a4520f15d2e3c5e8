"""What a board shows besides bulletins: its own items, and the web pages it may open."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    IMAGE = "image", pgettext_lazy("board item", "image")
    VIDEO = "video", pgettext_lazy("board item", "video")
    TEXT = "text", _("text notice")
    WEBPAGE = "webpage", _("web page")
    TICKER = "ticker", _("ticker line")


#: Monday is 0, as in Python's ``date.weekday()``.
WEEKDAYS = (
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
)
ALL_WEEKDAYS = "0123456"


def item_path(instance: BoardItem, filename: str) -> str:
    """Return an unguessable storage name; the extension comes from the content."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"boards/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class BoardItem(models.Model):
    """A board-only item: an image, a video, a notice, a web page or a ticker line.

    It belongs to an area and plays on the boards under it (or only on the
    boards chosen), in order, at the hours, weekdays and dates given.
    """

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="board_items",
        help_text=_("Boards in this area and below show it."),
    )
    boards = models.ManyToManyField(
        "boards.Board",
        verbose_name=_("only on these boards"),
        blank=True,
        related_name="own_items",
        help_text=_("Leave empty for every board of the area."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("text"),
        max_length=3000,
        blank=True,
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    file = models.FileField(_("file"), upload_to=item_path, max_length=255, blank=True)
    content_type = models.CharField(max_length=60, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    media_duration_s = models.FloatField(null=True, blank=True, editable=False)
    url = models.URLField(
        _("web address"),
        max_length=500,
        blank=True,
        help_text=_("Only pages on the province's list of allowed sites open."),
    )
    duration_s = models.PositiveSmallIntegerField(
        _("seconds on screen"),
        default=15,
        validators=[MinValueValidator(3), MaxValueValidator(3600)],
        help_text=_("A video plays to its end unless this is shorter."),
    )
    position = models.SmallIntegerField(
        _("order"), default=0, help_text=_("Smaller numbers play first.")
    )
    enabled = models.BooleanField(_("shown"), default=True)
    weekdays = models.CharField(_("weekdays"), max_length=7, default=ALL_WEEKDAYS)
    start_time = models.TimeField(_("from (time of day)"), null=True, blank=True)
    end_time = models.TimeField(_("until (time of day)"), null=True, blank=True)
    start_date = models.DateField(_("first day"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    is_essential = models.BooleanField(
        _("essential information"),
        default=False,
        help_text=_(
            "Counted as essential information shown without a bulletin of the system."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(
        _("created"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("board item")
        verbose_name_plural = _("board items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        return f"item:{self.pk}"


class AllowedOrigin(models.Model):
    """A web site whose pages boards of the province may show (Content-Security-Policy)."""

    province = models.ForeignKey(
        "areas.Area",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="board_origins",
    )
    origin = models.CharField(
        _("site"),
        max_length=200,
        help_text=_("Scheme and host only, e.g. https://dongthap.gov.vn"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("allowed web site")
        verbose_name_plural = _("allowed web sites")
        ordering = ["province", "origin"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "origin"], name="board_origin_unique"
            )
        ]

    def __str__(self) -> str:
        return self.origin
