"""Exports of indicator tables and reports: ask, build in the background, download.

Every request and every download is written to the audit log, and both are
checked against the scope rule (``EXPORT_REPORTS`` on the area; the whole
country is for superusers only).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core.text import fold

from . import periods, reports
from .models import Export, ExportFormat, ExportKind, ExportState

logger = logging.getLogger(__name__)

#: Exports one person may have waiting or running at once.
MAX_PENDING_PER_USER = 3
#: Export files older than this are deleted by the nightly job.
KEEP_DAYS = 30


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def can_export(actor: Actor, area: Area | None) -> bool:
    """Return True if ``actor`` may export the reports of ``area`` (None: the country)."""
    if area is None:
        return scope.roots(actor, Capability.EXPORT_REPORTS) is None
    return scope.can(actor, Capability.EXPORT_REPORTS, area)


@transaction.atomic
def request_export(
    actor: Actor,
    *,
    kind: str,
    format: str,
    area: Area | None,
    start: datetime.date,
    end: datetime.date,
) -> Export:
    """Queue an export of ``area`` for the period; the worker builds the file."""
    if kind not in ExportKind.values or format not in ExportFormat.values:
        raise ValidationError(_("Unknown kind of export."))
    if not can_export(actor, area):
        raise PermissionDenied(_("You may not export the reports of this area."))
    try:
        periods.check_period(start, end)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    pending = Export.objects.filter(
        requested_by=actor, state__in=[ExportState.QUEUED, ExportState.RUNNING]
    ).count()
    if actor is not None and pending >= MAX_PENDING_PER_USER:
        raise ValidationError(
            _("You already have %(n)d exports in progress; wait for them to finish.")
            % {"n": pending}
        )
    export = Export.objects.create(
        kind=kind,
        format=format,
        area=area,
        area_path=area.path if area else "",
        start=start,
        end=end,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        "indicators.export_request",
        actor,
        export,
        area=area.path if area else "",
        data={
            "kind": kind,
            "format": format,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    from .tasks import run_export

    transaction.on_commit(lambda: run_export(export.pk))
    return export


def _set(export: Export, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    Export.objects.filter(pk=export.pk).update(**fields)


def file_name(export: Export) -> str:
    where = slugify(fold(export.area.name)) if export.area is not None else "ca-nuoc"
    kind = "chi-tieu" if export.kind == ExportKind.INDICATORS else "bao-cao"
    return (
        f"{kind}-{where}-{export.start:%Y%m%d}-{export.end:%Y%m%d}"
        f"-{export.pk}.{export.format}"
    )


def build_export(export_id: int) -> Export:
    """Build the file of an export (run by the worker), recording progress as it goes."""
    export = Export.objects.select_related("area").get(pk=export_id)
    if export.state != ExportState.QUEUED:
        return export
    _set(export, state=ExportState.RUNNING, progress=5)
    try:
        report = reports.build(
            export.area,
            export.start,
            export.end,
            full=export.kind == ExportKind.REPORT,
            progress=lambda pct: _set(export, progress=pct),
        )
        if export.format == ExportFormat.XLSX:
            from .exports import xlsx

            data = xlsx.write(report)
        else:
            from .exports import pdf

            data = pdf.write(report)
        name = file_name(export)
        (export_dir() / name).write_bytes(data)
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the person who asked
        logger.exception("Export %s failed", export.pk)
        _set(
            export,
            state=ExportState.FAILED,
            message=_("The file could not be made: %(error)s") % {"error": exc},
            finished_at=timezone.now(),
        )
        return export
    _set(
        export,
        state=ExportState.DONE,
        progress=100,
        file_name=name,
        finished_at=timezone.now(),
    )
    return export


def can_download(actor: Actor, export: Export) -> bool:
    return can_export(actor, export.area)


def open_export(actor: Actor, export: Export) -> Path:
    """Return the file of a finished export for ``actor``, writing the audit entry."""
    if not can_download(actor, export):
        raise PermissionDenied(_("You may not export the reports of this area."))
    if export.state != ExportState.DONE or not export.file_name:
        raise ValidationError(_("This export is not ready."))
    path = export_dir() / export.file_name
    if not path.exists():
        raise ValidationError(_("This export has expired; ask for it again."))
    audit.record(
        "indicators.export_download",
        actor,
        export,
        area=export.area_path,
        data={"file": export.file_name},
    )
    return path


def purge_exports(days: int = KEEP_DAYS) -> int:
    """Delete the files of exports older than ``days``; their rows (and audit) stay."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for export in Export.objects.filter(requested_at__lt=cutoff).exclude(file_name=""):
        (export_dir() / export.file_name).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(file_name="")
        removed += 1
    return removed
