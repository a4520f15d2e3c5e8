"""Monthly snapshots of the indicators, and the exports people ask for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.areas.fields import PathField


class Snapshot(models.Model):
    """One indicator for one province or commune and one closed month.

    For a stock indicator it is the state on the month's last day; for a flow
    it counts the month's activity. Filled by a periodic job so that the
    dashboard of a province or of the country reads a few hundred rows instead
    of scanning millions of events; the open month is kept apart, in
    :class:`ProvisionalSnapshot`.
    """

    indicator = models.CharField(_("indicator"), max_length=40)
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    area_path = PathField(_("area"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "month"], name="indicator_snapshot_once"
            )
        ]
        indexes = [models.Index(fields=["indicator", "month", "area"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area_path} {self.month:%m/%Y}"


class ProvisionalSnapshot(models.Model):
    """One indicator for one province or commune over the open month so far.

    The worker refreshes these every few minutes, so that a page asking for
    "this year" does not compute the open month of a whole province or of the
    country on every request; the page says when they were computed, and
    falls back to live computation when they are older than the refresh
    period allows or when an action marked them stale.
    """

    indicator = models.CharField(_("indicator"), max_length=40)
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    area_path = PathField(_("area"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    through = models.DateField(_("through"), help_text=_("The last day counted."))
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("provisional indicator snapshot")
        verbose_name_plural = _("provisional indicator snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area"], name="indicator_provisional_once"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator} {self.area_path} {self.month:%m/%Y}–{self.through:%d/%m}"
        )


class ExportKind(models.TextChoices):
    INDICATORS = "indicators", _("indicator table")
    REPORT = "report", _("periodic report of the whole system")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("spreadsheet (XLSX)")
    PDF = "pdf", _("PDF")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("in progress")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class Export(models.Model):
    """A report file asked for by a person, built in the background.

    The file lives in the private data directory (never under the public
    media URL); it is downloaded through a view that checks scope and writes
    the audit log.
    """

    kind = models.CharField(_("report"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole country."),
    )
    area_path = PathField(_("area path"), blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default="queued"
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        where = self.area.name if self.area is not None else str(_("Whole country"))
        return (
            f"{self.get_kind_display()} — {where} — "
            f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} ({self.get_format_display()})"
        )

    @property
    def is_finished(self) -> bool:
        return self.state in {ExportState.DONE, ExportState.FAILED}
