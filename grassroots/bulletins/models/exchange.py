"""Peer systems (the central system, other provinces) and their API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeerSystem(models.Model):
    """Another system that pushes bulletins in or pulls them out.

    A peer acts only inside ``area`` (and below). Its bulletins keep the
    peer's own identifiers, so sending one twice updates it.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="peer_systems",
        help_text=_("The peer may push and pull bulletins of this area and below."),
    )
    can_push = models.BooleanField(_("may send bulletins in"), default=True)
    can_pull = models.BooleanField(_("may read published bulletins"), default=True)
    publishes_directly = models.BooleanField(
        _("publish without local approval"),
        default=False,
        help_text=_(
            "For a system that approves bulletins itself (e.g. the central system). "
            "Otherwise its bulletins wait for a local approver."
        ),
    )
    contact = models.TextField(_("contact"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("peer system")
        verbose_name_plural = _("peer systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A secret a peer sends with each request; only its hash is kept.

    The key is shown once, when issued. ``prefix`` finds the row without
    revealing the secret; rotating means issuing a new key, then revoking
    the old one.
    """

    peer = models.ForeignKey(
        PeerSystem,
        verbose_name=_("peer"),
        on_delete=models.CASCADE,
        related_name="keys",
    )
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.peer} — {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.peer.is_active
