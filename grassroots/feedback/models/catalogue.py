from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.areas.fields import SEGMENT


class Category(models.Model):
    """What a feedback item is about; also an Open311 service.

    ``code`` is the Open311 ``service_code``: clients keep it, so it never
    changes once published. ``deadline_days`` counts working days of the
    Vietnamese calendar from the day the item is received.
    """

    # Not shown in Wagtail's "usage" views; indexing it costs a query per save.
    wagtail_reference_index_ignore = True

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=80, blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=255,
        blank=True,
        help_text=_("Comma-separated words that help citizens find this category."),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    warn_days = models.PositiveSmallIntegerField(
        _("warn before deadline (working days)"),
        default=2,
        validators=[MaxValueValidator(30)],
    )
    is_active = models.BooleanField(_("open for new feedback"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("feedback category")
        verbose_name_plural = _("feedback categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.code and not SEGMENT.match(self.code.replace("_", "-")):
            raise ValidationError({"code": _("Use letters, digits and “-” only.")})
