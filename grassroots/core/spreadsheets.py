"""Spreadsheets we write never run what people typed as a formula.

A title, a name, an import field or a device's failure reason that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is read by Excel and LibreOffice as a
formula when the CSV or XLSX file is opened: ``=HYPERLINK(...)`` leaks data,
``=cmd|...`` has run programs. Every export goes through this module:

- CSV: :func:`safe_cell` puts an apostrophe before such text, which the
  spreadsheet shows as text and does not evaluate;
- XLSX: :func:`harden_workbook` turns every cell openpyxl took for a formula
  back into text marked with Excel's "quote prefix" (our exports never write
  formulas), so the text is kept exactly and never evaluated;
- Wagtail's list exports and reports: :func:`install` does both, once.

Numbers stay numbers: only text is touched. They are also written the
Vietnamese way (``core.numbers``): CSV with ";" between cells and "," in
decimals, XLSX cells with a ``#,##0`` number format.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import numbers

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d")


def is_formula_like(value: object) -> bool:
    """Return True if ``value`` is text a spreadsheet would evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """Return ``value`` for a CSV cell: formula-like text gets a leading apostrophe."""
    if is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return a CSV row with every cell passed through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def harden_workbook(book) -> None:
    """Turn every formula cell of an openpyxl workbook into plain, quoted text.

    Call it just before ``book.save()``. openpyxl stores any string that
    starts with ``=`` as a formula; our exports never mean one.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _defused_preprocess(original):
    def preprocess_field_value(self, field, value, export_format):
        result = original(self, field, value, export_format)
        return (
            safe_cell(numbers.csv_value(result)) if export_format == "csv" else result
        )

    preprocess_field_value.defuses_formulas = True
    return preprocess_field_value


def _defused_xlsx_row(original):
    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in original(self, worksheet, row_dict, date_format):
            if cell.data_type == "f" or is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
            elif cell.number_format == "General" and numbers.xlsx_format(cell.value):
                cell.number_format = numbers.xlsx_format(cell.value)
            yield cell

    return generate_xlsx_row


def _vietnamese_csv(self, queryset):
    """Wagtail's ``stream_csv`` with ";" between cells and a BOM for Excel."""
    import csv

    from wagtail.admin.views.mixins import Echo

    writer = csv.DictWriter(
        Echo(), fieldnames=self.list_export, delimiter=numbers.CSV_DELIMITER
    )
    yield "\ufeff"
    yield writer.writerow(
        {field: self.get_heading(queryset, field) for field in self.list_export}
    )
    for item in queryset:
        yield self.write_csv_row(writer, self.to_row_dict(item))


def install() -> None:
    """Defuse every Wagtail list export (ours and Wagtail's own reports) at once.

    Wagtail's ``SpreadsheetExportMixin`` writes CSV cells as they are; every
    console list with ``list_export`` and every report inherits it, so the
    fix goes there, once, at start-up (``CoreConfig.ready``), rather than
    into each view where a new one could forget it.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin as Mixin

    if getattr(Mixin.preprocess_field_value, "defuses_formulas", False):
        return
    Mixin.preprocess_field_value = _defused_preprocess(Mixin.preprocess_field_value)
    Mixin.generate_xlsx_row = _defused_xlsx_row(Mixin.generate_xlsx_row)
    Mixin.stream_csv = _vietnamese_csv
