"""Whether the broker took the newest credentials (one row for the installation)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BrokerSync(models.Model):
    """The last time the broker files were applied, and the problem if they were not.

    While ``failing_since`` is set, a revoked or rotated secret may still work:
    the console's home page tells administrators, and the worker tries again
    every minute until the broker confirms.
    """

    checked_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    #: Digest of the files the broker confirmed (or was last asked to load).
    generation = models.CharField(_("generation"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("broker synchronisation")
        verbose_name_plural = _("broker synchronisation")

    def __str__(self) -> str:
        return self.problem or "ok"

    @classmethod
    def current(cls) -> BrokerSync:
        return cls.objects.get_or_create(pk=1)[0]
