"""The outbox of channel events: written with the change, delivered by the worker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting")
    DELIVERED = "delivered", _("delivered")
    #: A later withdrawal or expiry of the same bulletin on the same channel
    #: made it pointless (delivering it would only be undone).
    SUPERSEDED = "superseded", _("superseded")
    FAILED = "failed", _("failed")


class ChannelDelivery(models.Model):
    """One channel event, written in the transaction of the change that made it.

    The worker delivers it to the handlers of the channels in ``deliver_to``
    (``channels.deliver``), each handler once; a handler that fails is called
    again after a growing delay (those that succeeded are in ``done`` and are
    not called again); past ``channels.MAX_ATTEMPTS`` the row is ``failed``
    and shown to administrators on the console's home page. Handlers are
    idempotent: a delivery that crashed half-way is simply delivered again.
    """

    bulletin = models.ForeignKey(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=12)
    #: The channels whose handlers hear of it.
    deliver_to = models.JSONField(_("channels"), default=list)
    #: The handlers that already took it (module.name), never called again.
    done = models.JSONField(default=list)
    level = models.CharField(max_length=12)
    commune_ids = models.JSONField(default=list)
    target_area_ids = models.JSONField(default=list)
    revision_id = models.IntegerField(null=True)
    #: The bulletin's channels at the time (``ChannelEvent.channels``).
    channels = models.JSONField(default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True)
    #: Taken by a worker until then (a worker that died releases it by time).
    claimed_until = models.DateTimeField(null=True)
    delivered_at = models.DateTimeField(null=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.bulletin_id} ({self.state})"
