"""What the citizen app keeps on the server: push subscriptions and push counts.

A subscription holds only what a push service needs (the endpoint and the
browser's keys) and what it is for (areas, feedback items): no account, no
name, no address.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.areas.fields import PathField


class PushSubscription(models.Model):
    """One browser's Web Push subscription (RFC 8030), for areas or feedback."""

    endpoint = models.CharField(_("endpoint"), max_length=1000, unique=True)
    #: The browser's ECDH public key (P-256, base64url) and auth secret (RFC 8291).
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="push_subscriptions"
    )
    feedbacks = models.ManyToManyField(
        "feedback.Feedback", blank=True, related_name="push_subscriptions"
    )

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push #{self.pk}"

    @property
    def info(self) -> dict:
        """Return the subscription as pywebpush takes it."""
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


class PushTally(models.Model):
    """How many phones a bulletin's push reached, per subscribed area (the report's channel)."""

    bulletin = models.ForeignKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="push_tallies"
    )
    area_path = PathField()
    #: Accepted by the push service (201), refused as gone (404/410), failed.
    reached = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "area_path"], name="citizen_tally_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.area_path}: {self.reached}"
