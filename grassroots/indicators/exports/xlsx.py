"""The report as a spreadsheet: real numbers (not text) in every value cell."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from grassroots.core import numbers
from grassroots.core.spreadsheets import harden_workbook

from .. import periods, reports
from ..registry import Unit
from . import STATUS_FILLS

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E1E8F0")


def _fill(status: str) -> PatternFill:
    r, g, b = STATUS_FILLS[status]
    return PatternFill("solid", fgColor=f"{r:02X}{g:02X}{b:02X}")


def _header(sheet, row: int, values: list[str]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _number_format(unit: str) -> str:
    return "#,##0.0" if unit == Unit.PERCENT else "#,##0.00"


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def write(report: reports.Report) -> bytes:
    """Return the XLSX file of ``report``."""
    book = Workbook()
    summary = book.active
    summary.title = _("Indicators")[:31]
    summary["A1"] = report.title
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = f"{_('Area')}: {report.area_name}"
    summary["A3"] = f"{_('Period')}: {report.period_label}"
    headers = [
        _("Code"),
        _("Indicator"),
        _("Value"),
        _("Unit"),
        _("Numerator"),
        _("Denominator"),
        _("Target in force"),
        _("Target 2025"),
        _("Target 2030"),
        pgettext("indicator", "Status"),
        _("Definition"),
    ]
    _header(summary, 5, headers)
    for offset, result in enumerate(report.results):
        row = 6 + offset
        spec, m = result.spec, result.measure
        values = [
            spec.code,
            str(spec.name),
            float(result.value) if result.value is not None else None,
            spec.unit_label,
            float(m.numerator) if m else None,
            float(m.denominator) if m else None,
            float(result.target) if result.target is not None else None,
            float(spec.target_2025) if spec.target_2025 is not None else None,
            float(spec.target_2030) if spec.target_2030 is not None else None,
            result.status_label,
            str(spec.definition)
            if result.available
            else f"{spec.definition} — {_('Needs')}: {spec.needs}",
        ]
        for column, value in enumerate(values, start=1):
            cell = summary.cell(row=row, column=column, value=value)
            if column in (3, 7, 8, 9):
                cell.number_format = _number_format(spec.unit)
        summary.cell(row=row, column=10).fill = _fill(
            result.status if result.available else "none"
        )
        summary.cell(row=row, column=11).alignment = Alignment(wrap_text=True)
    _widths(summary, [22, 48, 10, 10, 12, 12, 12, 12, 12, 18, 90])

    if report.children and report.child_entries:
        units = book.create_sheet(_("By unit")[:31])
        head = [_("Code"), _("Unit")]
        for entry in report.child_entries:
            head += [
                f"{entry.spec.name} ({entry.spec.unit_label})",
                _("Numerator"),
                _("Denominator"),
            ]
        _header(units, 1, head)
        for offset, child in enumerate(report.children):
            row = 2 + offset
            units.cell(row=row, column=1, value=child.code)
            units.cell(row=row, column=2, value=child.name)
            column = 3
            for entry in report.child_entries:
                found = report.child_table[entry.spec.code].get(child.pk)
                if found is not None and found.measure is not None:
                    cell = units.cell(
                        row=row,
                        column=column,
                        value=float(found.value) if found.value is not None else None,
                    )
                    cell.number_format = _number_format(entry.spec.unit)
                    cell.fill = _fill(found.status)
                    units.cell(
                        row=row,
                        column=column + 1,
                        value=float(found.measure.numerator),
                    )
                    units.cell(
                        row=row,
                        column=column + 2,
                        value=float(found.measure.denominator),
                    )
                column += 3
        _widths(units, [12, 36] + [16, 10, 10] * len(report.child_entries))
        units.freeze_panes = "C2"

    if report.trends:
        trend = book.create_sheet(_("Monthly trend")[:31])
        months = next(iter(report.trends.values()))
        _header(trend, 1, [_("Indicator")] + [m.strftime("%m/%Y") for m, _m in months])
        for offset, (code, series) in enumerate(report.trends.items()):
            spec = next(r.spec for r in report.results if r.spec.code == code)
            trend.cell(row=2 + offset, column=1, value=str(spec.name))
            for column, (_month, m) in enumerate(series, start=2):
                number = m.value
                cell = trend.cell(
                    row=2 + offset,
                    column=column,
                    number=float(number) if number is not None else None,
                )
                cell.number_format = _number_format(spec.unit)
        _widths(trend, [48] + [10] * len(months))

    for section in report.sections:
        sheet = book.create_sheet(section.title[:31])
        _header(sheet, 1, section.headers)
        for offset, section_row in enumerate(section.rows):
            for column, raw in enumerate(section_row, start=1):
                sheet.cell(row=2 + offset, column=column, value=_cell(raw))
        _widths(sheet, [30] * len(section.headers))

    book.properties.title = report.title
    book.properties.creator = "grassroots"
    for sheet in book.worksheets:
        numbers.format_cells(sheet)
    harden_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return periods.label(value)
    return value
