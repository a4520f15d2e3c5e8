"""Numbers the Vietnamese way in every output: 12.345 and 3,5 (docs/ui-words.md)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from grassroots.indicators import reports
from grassroots.indicators.pdf import Document
from grassroots.indicators.registry import Unit
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import login_verified, make_user


def _figures(**values):
    base = dict(
        received=12345,
        handled_on_time=1000,
        handled_late=3,
        open_in_time=0,
        overdue_open=2,
        closed_unanswered=0,
        handled_percent=3.5,
        average_hours_to_answer=1234.5,
    )
    return SimpleNamespace(**{**base, **values})


def test_a_page_groups_thousands_and_writes_decimal_commas():
    context = {"label": "Xã An Bình", "c": _figures()}
    with translation.override("vi"):
        html = render_to_string("feedback/console/_numbers_row.html", context)
    assert "<td>12.345</td>" in html and "<td>1.000</td>" in html
    assert "3,5 %" in html and "1.234,5" in html
    with translation.override("en"):
        html = render_to_string("feedback/console/_numbers_row.html", context)
    assert "<td>12,345</td>" in html and "3.5 %" in html


def _cluster_export(client, tree, fmt):
    make_cluster(tree.hamlet_a1, latitude=10.5, longitude=105.6, speaker_power_w=12345)
    login_verified(client, make_user("administrator", tree.province))
    response = client.get(f"/console/loudspeakers/clusters/?export={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_csv_export_uses_semicolons_and_decimal_commas(tree, client):
    body = _cluster_export(client, tree, "csv").decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row, strict=True))
    assert cell["Vĩ độ"] == "10,5" and cell["Kinh độ"] == "105,6"
    # Whole numbers carry no separator: Excel reads "12345" as a number and
    # shows it as 12.345 with Vietnamese settings.
    assert "12345" in row


def test_an_xlsx_export_keeps_numbers_with_a_grouping_format(tree, client):
    sheet = load_workbook(io.BytesIO(_cluster_export(client, tree, "xlsx"))).active
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    power, latitude = cells[12345], cells[10.5]
    assert power.data_type == "n" and power.number_format == "#,##0"
    assert latitude.data_type == "n" and latitude.number_format == "#,##0.0##"


def test_a_pdf_report_writes_12_345_and_3_5():
    with translation.override("vi"):
        row = [
            reports.format_number(12345),
            reports.format_value(Decimal("3.5"), Unit.PERCENT),
            reports.format_value(Decimal("12345.6"), Unit.RATIO),
        ]
        document = Document("Báo cáo")
        document.add_page()
        document.data_table(["Số", "Tỷ lệ", "Bình quân"], [row])
        data = document.to_bytes()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "12.345" in text and "3,5%" in text and "12.345,6" in text


def test_the_filter_leaves_dates_and_text_as_localize_would():
    import datetime

    from django.template import Context, Template
    from django.utils.safestring import mark_safe

    template = Template(
        "{% load numbers %}{{ n|number }} {{ d|number }} {{ s|number }} {{ h|number }}"
    )
    with translation.override("vi"):
        out = template.render(
            Context(
                {
                    "n": 12345,
                    "d": datetime.date(2026, 12, 7),
                    "s": "<b>",
                    "h": mark_safe("<i>x</i>"),
                }
            )
        )
    assert out == "12.345 07/12/2026 &lt;b&gt; <i>x</i>"


def test_a_counted_sentence_groups_its_count():
    """``{% blocktrans count %}`` shows the count grouped: 1.234 cụm loa, not 1234."""
    context = {"count": 1234, "alerts": 1001, "minutes": 30, "clusters": []}
    with translation.override("vi"):
        html = render_to_string("loudspeakers/home_alerts.html", context)
    assert "1.234 cụm loa" in html and "1.001" in html
    assert "1234" not in html
    with translation.override("en"):
        html = render_to_string("loudspeakers/home_alerts.html", context)
    assert "1,234 clusters are offline." in html


def test_every_counted_sentence_in_a_template_groups_its_count():
    """The count picks the plural; what is shown is ``…|number`` (1.234)."""
    tag = re.compile(r"\{% blocktrans(?:late)? [^%]*\bcount\b[^%]*%\}")
    root = Path(__file__).resolve().parents[2]
    ungrouped = [
        f"{path.relative_to(root)}: {found}"
        for path in sorted(root.glob("*/templates/**/*.html"))
        for found in tag.findall(path.read_text(encoding="utf-8"))
        if "|number" not in found
    ]
    assert not ungrouped, "\n".join(ungrouped)


def test_a_count_in_a_message_is_grouped():
    from grassroots.loudspeakers.refusals import describe

    with translation.override("vi"):
        assert describe("unknown", 1234).startswith("Đã từ chối 1.234 tin")
