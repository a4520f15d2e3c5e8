"""All-or-nothing import of spreadsheets (CSV or XLSX) with a row-by-row report.

Hamlets, loudspeaker clusters and training rosters are all kept in spreadsheets
by commune staff. Every import validates the whole file first and reports each
bad cell by line and column, so the file can be fixed in one pass; nothing is
written unless every row is valid.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from .text import fold

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: An XLSX is a zip: limits on what it unpacks to, checked before openpyxl
#: reads a byte of it (a 5 MB file of repeated shared strings unpacks to
#: gigabytes, which openpyxl holds in memory at once).
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
MAX_XLSX_SHARED_STRINGS = 30 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 500


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file; ``line`` counts the header as line 1."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Line %(line)d, column %(column)s: %(message)s") % self.__dict__
        return _("Line %(line)d: %(message)s") % self.__dict__


class TableError(Exception):
    """Raised when a file cannot be imported; ``errors`` says what to fix."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    """A column of an import file.

    ``parse`` turns the cell text into a value or raises ``ValueError`` with a
    message for the person who filled the file.
    """

    name: str
    label: Any
    aliases: tuple[str, ...] = ()
    required: bool = True
    parse: Callable[[str], Any] = str
    default: Any = None

    def matches(self, header: str) -> bool:
        key = fold(header).replace(" ", "_")
        return key in {fold(a).replace(" ", "_") for a in (self.name, *self.aliases)}


@dataclass
class Table:
    """The validated rows of a file: dicts keyed by column name, with line numbers."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _decode_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            [
                RowError(
                    1,
                    "",
                    _("The file is not UTF-8 text. Save it as “CSV UTF-8” or as XLSX."),
                )
            ]
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _bomb(message: str) -> TableError:
    return TableError([RowError(1, "", message)])


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX that would unpack to far more than a spreadsheet needs.

    The sizes are the ones the archive declares; Python's zipfile never
    unpacks more than a member declares (a lie fails its CRC), so they bound
    what openpyxl can be made to hold.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _bomb(
            _("The XLSX file cannot be read: it is damaged or not a real spreadsheet.")
        ) from exc
    too_big = _(
        "The XLSX file unpacks to far more than a spreadsheet of this size should "
        "(%(mb)d MB): it may be a “zip bomb”. Save the sheet again as XLSX or CSV "
        "and send it again."
    )
    if len(members) > MAX_XLSX_MEMBERS:
        raise _bomb(too_big % {"mb": MAX_XLSX_UNPACKED // (1024 * 1024)})
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        shared = member.filename.lower().endswith("sharedstrings.xml")
        if (
            total > MAX_XLSX_UNPACKED
            or (shared and member.file_size > MAX_XLSX_SHARED_STRINGS)
            or (member.file_size > 1024 * 1024 and ratio > MAX_XLSX_RATIO)
        ):
            raise _bomb(too_big % {"mb": MAX_XLSX_UNPACKED // (1024 * 1024)})


def _read_xlsx(data: bytes) -> list[list[str]]:
    # openpyxl is imported here: most processes never read a spreadsheet.
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(
            [
                RowError(
                    1,
                    "",
                    _(
                        "The XLSX file cannot be read: it is damaged or not a real spreadsheet."
                    ),
                )
            ]
        ) from exc
    sheet = workbook.worksheets[0]
    rows: list[list[str]] = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(file: IO[bytes], max_bytes: int = MAX_FILE_BYTES) -> list[list[str]]:
    """Return the cells of a CSV or XLSX file, recognised by content, not by name."""
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(
            [
                RowError(
                    1,
                    "",
                    _("The file is larger than %(mb)d MB; split it into several files.")
                    % {"mb": max_bytes // (1024 * 1024)},
                )
            ]
        )
    if not data.strip():
        raise TableError([RowError(1, "", _("The file is empty."))])
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise TableError(
            [
                RowError(
                    1,
                    "",
                    _(
                        "This is not a CSV or XLSX file. Save the spreadsheet as CSV UTF-8 or XLSX."
                    ),
                )
            ]
        )
    return _decode_csv(data)


def validate(
    cells: list[list[str]],
    columns: Iterable[Column],
    check_row: Callable[[int, dict[str, Any]], list[RowError]] | None = None,
) -> Table:
    """Return the rows parsed by ``columns``, or raise ``TableError`` with every problem.

    ``check_row`` adds rules that involve several cells or the database.
    """
    columns = list(columns)
    if not cells:
        raise TableError([RowError(1, "", _("The file is empty."))])
    header = [h.strip() for h in cells[0]]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for column in columns:
        found = [i for i, h in enumerate(header) if h and column.matches(h)]
        if found:
            positions[column.name] = found[0]
        elif column.required:
            errors.append(
                RowError(
                    1,
                    str(column.label),
                    _("This column is missing from the header row."),
                )
            )
    if errors:
        raise TableError(errors)
    if len(cells) - 1 > MAX_ROWS:
        raise TableError(
            [
                RowError(
                    1,
                    "",
                    _("The file has more than %(max)d rows; split it.")
                    % {"max": MAX_ROWS},
                )
            ]
        )
    table = Table()
    for index, raw in enumerate(cells[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        row: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for column in columns:
            position = positions.get(column.name)
            text = (
                raw[position].strip()
                if position is not None and position < len(raw)
                else ""
            )
            if not text:
                if column.required:
                    row_errors.append(
                        RowError(index, str(column.label), _("This cell is empty."))
                    )
                row[column.name] = column.default
                continue
            try:
                row[column.name] = column.parse(text)
            except ValueError as exc:
                row_errors.append(RowError(index, str(column.label), str(exc)))
        if not row_errors and check_row is not None:
            row_errors = check_row(index, row)
        errors.extend(row_errors)
        table.rows.append((index, row))
    if errors:
        raise TableError(errors)
    if not table.rows:
        raise TableError([RowError(2, "", _("The file has a header but no rows."))])
    return table


def parse_coordinate(low: float, high: float) -> Callable[[str], float]:
    """Return a parser of a decimal degree between ``low`` and ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(
                _("“%(text)s” is not a number.") % {"text": text}
            ) from None
        if not low <= value <= high:
            raise ValueError(
                _("%(value)s is outside Vietnam (allowed %(low)s to %(high)s).")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


# Vietnam's mainland and islands lie within these bounds (decimal degrees).
LATITUDE = parse_coordinate(8.0, 23.5)
LONGITUDE = parse_coordinate(102.0, 117.9)
