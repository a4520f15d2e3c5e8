"""An XLSX import that unpacks to gigabytes is refused before openpyxl reads it."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from grassroots.core import tabular


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_member(data: bytes, name: str, payload: bytes) -> bytes:
    """Return the XLSX ``data`` with member ``name`` replaced by ``payload``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(
            name, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
        )
    return out.getvalue()


def test_a_normal_workbook_still_reads():
    data = _xlsx([["ma", "ten"], ["H01", "Ấp Một"]])
    assert tabular.read_rows(io.BytesIO(data)) == [["ma", "ten"], ["H01", "Ấp Một"]]


def test_shared_strings_bomb_is_refused_in_vietnamese_before_parsing():
    base = _xlsx([["ma"], ["H01"]])
    # 200 MB of one shared string repeated: about 200 KB once deflated.
    strings = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">' + b"<si><t>a</t></si>" * 12_000_000 + b"</sst>"
    )
    bomb = _with_member(base, "xl/sharedStrings.xml", strings)
    del strings
    assert len(bomb) < tabular.MAX_FILE_BYTES
    start = time.process_time()
    with pytest.raises(tabular.TableError) as refused:
        tabular.read_rows(io.BytesIO(bomb))
    assert time.process_time() - start < 1.0
    assert "bom nén" in str(refused.value.errors[0])


def test_a_member_with_an_absurd_ratio_is_refused():
    base = _xlsx([["ma"], ["H01"]])
    bomb = _with_member(base, "xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
    with pytest.raises(tabular.TableError) as refused:
        tabular.read_rows(io.BytesIO(bomb))
    assert "bom nén" in str(refused.value.errors[0])
