"""Proof of display: what each board showed, when and for how long."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShownKind(models.TextChoices):
    BULLETIN = "bulletin", _("bulletin")
    ITEM = "item", _("board item")
    EMERGENCY = "emergency", _("emergency")


class DisplayEvent(models.Model):
    """One stretch of time a board showed one thing, as its player reported it.

    The player gives every event its own id and keeps it until the server
    has it, so an event sent twice (after a lost answer, or from a buffer
    kept through an outage) is stored once.
    """

    board = models.ForeignKey(
        "boards.Board", on_delete=models.CASCADE, related_name="display_events"
    )
    event_id = models.UUIDField()
    kind = models.CharField(max_length=10, choices=ShownKind.choices)
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_displays",
    )
    item = models.ForeignKey(
        "boards.BoardItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="displays",
    )
    takeover = models.ForeignKey(
        "boards.Takeover",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="displays",
    )
    key = models.CharField(max_length=120)
    #: What it was called when shown (kept if the item is later removed).
    title = models.CharField(_("title"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("shown from"))
    duration_ms = models.PositiveIntegerField(_("for (ms)"))
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("display event")
        verbose_name_plural = _("display events")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "event_id"], name="display_event_once"
            )
        ]
        indexes = [
            models.Index(fields=["board", "started_at"], name="display_board_time"),
            models.Index(fields=["item", "started_at"], name="display_item_time"),
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.key} {self.started_at}"


class BulletinDisplay(models.Model):
    """A bulletin on one board, summed up: first and last shown, total time.

    Kept up to date as events arrive, so the coverage of a bulletin and the
    dissemination indicator read a few rows, never the raw events.
    """

    bulletin = models.ForeignKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="board_coverage"
    )
    board = models.ForeignKey(
        "boards.Board", on_delete=models.CASCADE, related_name="bulletin_coverage"
    )
    first_shown_at = models.DateTimeField()
    last_shown_at = models.DateTimeField()
    total_ms = models.PositiveBigIntegerField(default=0)
    times = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bulletin shown on a board")
        verbose_name_plural = _("bulletins shown on boards")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "board"], name="bulletin_display_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} on {self.board_id}"
