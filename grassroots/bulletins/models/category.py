"""The configurable list of bulletin categories (essential-information kinds)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(is_active=True)


class Category(models.Model):
    """A kind of essential information: law and policy, health, disaster …

    Names are data in the province's language; the ``slug`` is the stable key
    used in URLs, feeds and the exchange API.
    """

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_emergency = models.BooleanField(
        _("emergency kind"),
        default=False,
        help_text=_("Disasters, fires, epidemics: shown first and in red."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name
