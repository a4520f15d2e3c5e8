"""Public e-bulletin boards: the registry, each board's history and its last report."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: A board counts as online while its last report is at most this old; the
#: player reports every 30 s, so three missed reports mean offline.
ONLINE_WINDOW_S = 90
#: Bytes of randomness in a player address (256 bits, 43 URL-safe characters).
TOKEN_BYTES = 32


def new_token() -> str:
    """Return a fresh, unguessable player token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class BoardState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("board state", "active")
    MAINTENANCE = "maintenance", _("under maintenance")
    RETIRED = "retired", pgettext_lazy("board state", "retired")


class Place(models.TextChoices):
    """Where a board stands; only boards at the office count for the indicator."""

    OFFICE = "office", _("People's Committee office")
    PUBLIC = "public", _("other public place")


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", _("landscape")
    PORTRAIT = "portrait", _("portrait")


code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    _("Letters, digits, dots, dashes and underscores only, e.g. MT-UBND-01."),
)


class Board(models.Model):
    """A screen in a public place that shows the bulletins of its area.

    The player address (``/board/<token>/``) is the board's only credential:
    it is long and random, shown to the staff who manage the board, rotated
    when it leaks and cleared when the board is revoked.
    """

    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="boards",
    )
    place = models.CharField(
        _("place"), max_length=10, choices=Place.choices, default=Place.OFFICE
    )
    location = models.CharField(
        _("location"),
        max_length=255,
        blank=True,
        help_text=_("Address and where exactly, e.g. “Hall of the one-stop office”."),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    screen_size_in = models.PositiveSmallIntegerField(
        _("screen size (inches)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(300)],
    )
    width_px = models.PositiveIntegerField(
        _("resolution: width (pixels)"),
        default=1920,
        validators=[MinValueValidator(320), MaxValueValidator(7680)],
    )
    height_px = models.PositiveIntegerField(
        _("resolution: height (pixels)"),
        default=1080,
        validators=[MinValueValidator(240), MaxValueValidator(7680)],
    )
    orientation = models.CharField(
        _("orientation"),
        max_length=10,
        choices=Orientation.choices,
        default=Orientation.LANDSCAPE,
        help_text=_("How the screen is mounted; a portrait screen turns the layout."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=BoardState.choices, default=BoardState.ACTIVE
    )
    state_since = models.DateField(_("in this state since"), default=timezone.localdate)
    page_seconds = models.PositiveSmallIntegerField(
        _("seconds per page"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(300)],
        help_text=_("How long a page of a bulletin stays; longer pages stay longer."),
    )
    show_bulletins = models.BooleanField(
        _("show the bulletins of its area"), default=True
    )
    # NULL once revoked: a unique column allows many NULLs, not many "".
    player_token = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False, default=new_token
    )
    token_issued_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(
        _("created"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("e-bulletin board")
        verbose_name_plural = _("e-bulletin boards")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("boards_board:inspect", args=[self.pk])

    @property
    def player_path(self) -> str | None:
        """Return the player's address (path only), or None when revoked."""
        if not self.player_token:
            return None
        return reverse("boards:player", args=[self.player_token])

    @property
    def viewport(self) -> tuple[int, int]:
        """Return the player's width and height in CSS pixels, as mounted."""
        long_side, short_side = (
            max(self.width_px, self.height_px),
            min(self.width_px, self.height_px),
        )
        if self.orientation == Orientation.PORTRAIT:
            return short_side, long_side
        return long_side, short_side


class BoardChange(models.Model):
    """One entry of a board's history: its state, place and area from a day on.

    The indicator of commune offices with a board reads the state on the last
    day of any past period from here, so corrections keep their dates.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="changes")
    effective_on = models.DateField(_("from"))
    state = models.CharField(_("state"), max_length=12, choices=BoardState.choices)
    place = models.CharField(_("place"), max_length=10, choices=Place.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    commune = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("commune"),
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("board history entry")
        verbose_name_plural = _("board history")
        ordering = ["board", "effective_on", "pk"]
        indexes = [
            models.Index(fields=["effective_on", "board"], name="board_change_day")
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.effective_on} {self.state}"


class BoardStatus(models.Model):
    """What the board's player last said: alive when, showing what, looking how.

    Kept apart from the registry so that reports every 30 s never lock or
    touch the row staff edit.
    """

    board = models.OneToOneField(
        Board, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True)
    ip_address = models.GenericIPAddressField(
        pgettext_lazy("network", "address"), null=True
    )
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    content_version = models.CharField(max_length=32, blank=True)
    showing_key = models.CharField(max_length=80, blank=True)
    showing_title = models.CharField(_("showing"), max_length=255, blank=True)
    viewport = models.CharField(_("screen"), max_length=20, blank=True)
    screenshot = models.BinaryField(null=True, editable=False)
    screenshot_type = models.CharField(max_length=20, blank=True)
    screenshot_at = models.DateTimeField(_("screenshot taken"), null=True)
    events_received = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("board status")
        verbose_name_plural = _("board statuses")

    def __str__(self) -> str:
        return f"{self.board_id}: {self.last_seen_at}"

    def is_online(self, now=None) -> bool:
        if self.last_seen_at is None:
            return False
        now = now or timezone.now()
        return (now - self.last_seen_at).total_seconds() <= ONLINE_WINDOW_S
