from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    COMPENSATORY = "compensatory", _("day off in lieu")
    SWAPPED = "swapped", _("day off swapped with a weekend")
    MAKEUP = "makeup", _("weekend working day")


class CalendarDay(models.Model):
    """A day that differs from the usual week: a holiday, or a Saturday worked.

    Monday to Friday are working days and weekends are not, unless a row
    here says otherwise. The government announces each year which days are
    swapped around Tết and the other holidays, so the rows are kept by hand
    in the console, year by year.
    """

    # Not shown in Wagtail's "usage" views; indexing it costs a query per save.
    wagtail_reference_index_ignore = True

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=120)
    note = models.CharField(
        _("source or note"),
        max_length=255,
        blank=True,
        help_text=_("The decision that announced it, or why it is provisional."),
    )
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_(
            "Computed from the Labour Code; confirm when the year's notice is out."
        ),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == DayKind.MAKEUP
