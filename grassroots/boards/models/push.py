"""The push journal: changes the boards' open connections must hear about.

Every action that changes what a board shows writes a row here in its own
transaction; each web process tails the table (``push/hub.py``) and wakes
the connections concerned. A row is seen only once its transaction commits,
so a board never hears of a change that was rolled back.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PushKind(models.TextChoices):
    REFRESH = "refresh"
    TAKEOVER = "takeover"
    RELEASE = "release"
    REVOKED = "revoked"
    COMMAND = "command"


class Match(models.TextChoices):
    #: Boards in the area and below it.
    UNDER = "under"
    #: Boards in the area, below it or above it (where a bulletin is relevant).
    RELATED = "related"


class PushEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=PushKind.choices)
    #: One board (revocations, commands), or none for an area-wide change.
    board_id = models.BigIntegerField(null=True, blank=True)
    #: The area concerned; "" with ``board_id`` None means every board.
    area_path = models.CharField(max_length=255, blank=True)
    match = models.CharField(max_length=8, choices=Match.choices, default=Match.UNDER)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.board_id or self.area_path}"

    def concerns(self, board_id: int, path: str) -> bool:
        """Return True if the board ``board_id`` at area ``path`` must hear this."""
        if self.board_id is not None:
            return self.board_id == board_id
        if path.startswith(self.area_path):
            return True
        return self.match == Match.RELATED and self.area_path.startswith(path)
