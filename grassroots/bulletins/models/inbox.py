"""The cascade inbox: what came down from above to each commune, and what it did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxState(models.TextChoices):
    RECEIVED = "received", _("received, awaiting a decision")
    ADOPTED = "adopted", _("adopted for airing")
    IGNORED = "ignored", _("not aired")
    QUEUED = "queued", _("queued for airing (priority)")
    EMERGENCY = "emergency", _("sent out at once (emergency)")
    AIRED = "aired", _("aired")


#: States in which the commune still has to decide.
PENDING_STATES = (InboxState.RECEIVED,)


class InboxItem(models.Model):
    """A bulletin from a higher level, as it reached one commune.

    Normal bulletins wait here for the commune to adopt or ignore them;
    priority ones arrive queued for airing; emergency ones arrive marked to go
    out at once (the broadcasting side acts on the channel event).
    """

    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        verbose_name=_("bulletin"),
        on_delete=models.CASCADE,
        related_name="inbox_items",
    )
    commune = models.ForeignKey(
        "areas.Area",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="inbox_items",
    )
    state = models.CharField(
        _("what the commune did"),
        max_length=12,
        choices=InboxState.choices,
        default=InboxState.RECEIVED,
        db_index=True,
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_version_at = models.DateTimeField(
        _("new version received"), null=True, blank=True
    )
    still_targeted = models.BooleanField(
        _("still meant for this commune"),
        default=True,
        help_text=_("Cleared when a later version no longer targets the commune."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    aired_at = models.DateTimeField(_("aired"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin from above")
        verbose_name_plural = _("bulletins from above")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "commune"], name="inbox_one_per_commune"
            )
        ]
        indexes = [
            models.Index(fields=["commune", "state"], name="inbox_commune_state")
        ]

    def __str__(self) -> str:
        return f"{self.bulletin} → {self.commune}"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    def state_label(self) -> str:
        """Return what the commune did, or that the bulletin is no longer in force."""
        from .bulletin import Status

        if self.bulletin.status in (Status.WITHDRAWN, Status.EXPIRED):
            return str(self.bulletin.get_status_display())
        return str(self.get_state_display())
