"""Numbers the Vietnamese way in every output: 12.345 and 3,5 (docs/ui-words.md).

- pages and PDF: :func:`text` (``{{ n|number }}`` in templates, from
  ``{% load numbers %}``) groups thousands with the active language's
  separators (12.345 / 3,5 in Vietnamese, 12,345 / 3.5 in English);
- CSV: :data:`CSV_DELIMITER` is ";" and :func:`csv_value` writes decimals with
  ","; whole numbers carry no separator, so Excel with Vietnamese regional
  settings reads both as numbers (a "," delimiter would split 3,5 in two);
- XLSX: numbers stay numbers; :func:`xlsx_format` gives the number format
  (``#,##0``, ``#,##0.0##``) that Excel shows in its reader's own locale.

The global ``USE_THOUSAND_SEPARATOR`` stays off: it would also group numbers
inside attributes and links (``value="{{ area.pk }}"`` as "1.234").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import formats

CSV_DELIMITER = ";"
WHOLE = "#,##0"
FRACTION = "#,##0.0##"


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def text(value: Any, decimals: int | None = None) -> str:
    """Return ``value`` grouped in thousands, in the active language's format."""
    if not is_number(value):
        return "" if value is None else str(value)
    if decimals is None and isinstance(value, float | Decimal):
        if value == int(value):
            decimals = 0
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def csv_value(value: Any, decimals: int | None = None) -> Any:
    """Return a CSV cell: a decimal with ",", a whole number bare, text as is."""
    if isinstance(value, float | Decimal):
        if decimals is not None:
            return f"{value:.{decimals}f}".replace(".", ",")
        return format(value, "f").rstrip("0").rstrip(".").replace(".", ",") or "0"
    return value


def xlsx_format(value: object) -> str | None:
    """Return the number format for an XLSX cell holding ``value`` (None: not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, int) or value == int(value):
        return WHOLE
    return FRACTION


def format_cells(sheet) -> None:
    """Give every number cell of an openpyxl sheet its number format."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.number_format == "General":
                found = xlsx_format(cell.value)
                if found:
                    cell.number_format = found
