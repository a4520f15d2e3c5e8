"""The dissemination report as a spreadsheet (openpyxl), in the user's language."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.areas.words import hamlet_word
from grassroots.core import numbers
from grassroots.core.spreadsheets import harden_workbook

from .report import Report


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def workbook(report: Report) -> bytes:
    """Return the XLSX file: a summary, the hamlets, the clusters and the boards."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    bulletin = report.bulletin
    for row in (
        [_("Bulletin"), bulletin.title],
        [_("Published"), _when(bulletin.first_published_at)],
        [
            _("%(hamlets)s that heard it")
            % {"hamlets": hamlet_word(capital=True, plural=True)},
            f"{report.hamlets_heard}/{report.hamlets_targeted}",
        ],
        [_("Times played to the end"), report.times_played],
        [_("Clusters that played it"), report.count("played")],
        [_("Clusters that failed"), report.count("failed")],
        [_("Clusters offline"), report.count("offline")],
        [_("Clusters that have not played it yet"), report.count("pending")],
        [_("Boards that showed it"), len(report.boards)],
        [_("Phones reached by push (citizen app)"), report.pushes_reached],
        [_("Report made"), _when(timezone.now())],
    ):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 60

    def table(title: str, headers: list[str], rows) -> None:
        page = book.create_sheet(title[:31])
        page.append(headers)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in rows:
            page.append(row)
        for index in range(len(headers)):
            page.column_dimensions[chr(ord("A") + index)].width = 22

    table(
        hamlet_word(capital=True, plural=True),
        [
            hamlet_word(capital=True),
            _("Commune"),
            _("Heard"),
            _("Times played to the end"),
            _("Clusters that played it"),
            _("Clusters targeted"),
            _("First heard"),
            _("Last heard"),
            _("Boards that showed it"),
        ],
        (
            [
                h.name,
                h.commune,
                _("yes") if h.heard else _("no"),
                h.finished,
                h.clusters_heard,
                h.clusters_targeted,
                _when(h.first_heard_at),
                _when(h.last_heard_at),
                h.boards,
            ]
            for h in report.hamlets
        ),
    )
    table(
        _("Loudspeaker clusters"),
        [
            _("Cluster"),
            _("Name"),
            _("Area"),
            _("Outcome"),
            _("Times played to the end"),
            _("First heard"),
            _("Last heard"),
            _("Last failure"),
            _("Reason"),
            _("Online"),
            _("Last seen"),
        ],
        (
            [
                c.code,
                c.name,
                c.area_name,
                c.outcome_label,
                c.finished,
                _when(c.first_heard_at),
                _when(c.last_heard_at),
                _when(c.last_failed_at),
                c.failure_reason or (c.failure_label if c.failure else ""),
                _("yes") if c.online else _("no"),
                _when(c.last_seen_at),
            ]
            for c in report.clusters
        ),
    )
    table(
        _("E-bulletin boards"),
        [
            _("Board"),
            _("Name"),
            _("Area"),
            _("First shown"),
            _("Last shown"),
            _("Seconds"),
        ],
        (
            [
                b.code,
                b.name,
                b.area_name,
                _when(b.first_shown_at),
                _when(b.last_shown_at),
                round(b.total_seconds),
            ]
            for b in report.boards
        ),
    )
    for page in book.worksheets:
        numbers.format_cells(page)
    harden_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
