"""Exports: asked through the console, built by the worker, opened back and read."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from grassroots.accounts.models import AuditEntry
from grassroots.indicators.models import Export, ExportState
from grassroots.testing import make_user

PERIOD = {"from": "01/01/2025", "to": "31/12/2025"}


@pytest.fixture
def viewer(tree):
    return make_user("viewer", tree.province)


def export(client, django_capture_on_commit_callbacks, area, kind, fmt):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/console/indicators/export/",
            {"area": area.path, "kind": kind, "format": fmt, **PERIOD},
        )
    assert response.status_code == 302, response.content[:500]
    item = Export.objects.latest("pk")
    assert response["Location"].endswith(f"/indicators/export/{item.pk}/")
    item.refresh_from_db()
    assert item.state == ExportState.DONE, item.message
    download = client.get(f"/console/indicators/export/{item.pk}/download/")
    assert download.status_code == 200
    return item, b"".join(download.streaming_content)


def test_the_indicator_table_opens_in_a_spreadsheet_with_the_same_numbers(
    client, django_capture_on_commit_callbacks, tree, roster, viewer
):
    client.force_login(viewer)
    item, data = export(
        client, django_capture_on_commit_callbacks, tree.province, "indicators", "xlsx"
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["Chỉ tiêu"]
    assert sheet["A3"].value == "Kỳ báo cáo: 01/01/2025 – 31/12/2025"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    trained = rows["officials_trained"]
    assert trained[1] == "Cán bộ được đào tạo, bồi dưỡng"
    assert (trained[2], trained[4], trained[5]) == (60.0, 3, 5)
    assert trained[9] == "Chưa đạt"
    assert (
        rows["feedback_handled"][9] == "Chưa có số liệu"
    )  # measured, no feedback here
    units = {row[1]: row for row in book["Theo đơn vị"].iter_rows(values_only=True)}
    # Columns of the officials-trained indicator, wherever other indicators put it.
    col = next(
        i for i, h in enumerate(units["Đơn vị"]) if str(h).startswith(trained[1])
    )
    assert units["Xã An Bình"][col : col + 3] == (33.3, 1, 3)
    assert "Xã Ngoài" not in units
    assert AuditEntry.objects.filter(
        action="indicators.export_download", object_id=str(item.pk)
    ).exists()


def test_the_periodic_report_is_a_pdf_with_correct_vietnamese(
    client, django_capture_on_commit_callbacks, tree, roster, viewer
):
    client.force_login(viewer)
    _item, data = export(
        client, django_capture_on_commit_callbacks, tree.province, "report", "pdf"
    )
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Báo cáo hoạt động hệ thống thông tin cơ sở",
        "Tỉnh Thử Nghiệm",
        "Cán bộ được đào tạo, bồi dưỡng",
        "60,0%",
        "Phường Tân Mỹ",
        "Diễn biến theo tháng",
        "Trụ sở UBND xã có bảng tin điện tử công cộng",
        "Lớp đào tạo, bồi dưỡng trong kỳ",
    ):
        assert expected in text, expected
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in f for f in fonts)


def test_a_viewer_of_a_commune_cannot_export_the_province(client, tree):
    client.force_login(make_user("viewer", tree.commune_a))
    response = client.post(
        "/console/indicators/export/",
        {"area": tree.province.path, "kind": "report", "format": "pdf", **PERIOD},
    )
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_someone_elses_export_of_another_area_is_not_found(
    client, django_capture_on_commit_callbacks, tree, roster, viewer
):
    client.force_login(viewer)
    item, _data = export(
        client, django_capture_on_commit_callbacks, tree.province, "indicators", "pdf"
    )
    client.force_login(make_user("administrator", tree.other_province))
    for suffix in ("", "progress/", "download/"):
        response = client.get(f"/console/indicators/export/{item.pk}/{suffix}")
        assert response.status_code == 404


def test_bad_input_is_refused_with_a_message_and_nothing_queued(client, tree, viewer):
    client.force_login(viewer)
    for data in (
        {"area": tree.province.path, "kind": "report", "format": "exe", **PERIOD},
        {"area": tree.province.path, "kind": "x", "format": "pdf", **PERIOD},
        {"area": tree.province.path, "kind": "report", "format": "pdf",
         "from": "31/12/2025", "to": "01/01/2025"},
        {"area": tree.province.path, "kind": "report", "format": "pdf",
         "from": "<script>", "to": "01/01/2025"},
    ):  # fmt: skip
        response = client.post("/console/indicators/export/", data, follow=True)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
    assert not Export.objects.exists()


def test_progress_is_polled_until_the_file_is_ready(client, tree, viewer):
    client.force_login(viewer)
    item = Export.objects.create(
        kind="report",
        format="pdf",
        area=tree.province,
        area_path=tree.province.path,
        start="2025-01-01",
        end="2025-12-31",
        state="running",
        progress=40,
    )
    body = client.get(f"/console/indicators/export/{item.pk}/progress/").content
    assert b'hx-trigger="every 1s"' in body and b"40%" in body
    Export.objects.filter(pk=item.pk).update(state="done", file_name="x.pdf")
    body = client.get(f"/console/indicators/export/{item.pk}/progress/").content
    assert b"hx-trigger" not in body and b"/download/" in body


def test_the_command_prints_the_values_of_the_dashboard(client, tree, roster, viewer):
    out = io.StringIO()
    call_command(
        "indicators",
        "--area",
        tree.province.code,
        "--from",
        "01/01/2025",
        "--to",
        "31/12/2025",
        "--format",
        "json",
        "--units",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    trained = next(i for i in data["indicators"] if i["code"] == "officials_trained")
    assert (trained["value"], trained["numerator"], trained["denominator"]) == (
        60.0,
        3,
        5,
    )
    assert trained["status"] == "behind"
    client.force_login(viewer)
    page = client.get("/console/indicators/", {"area": tree.province.path, **PERIOD})
    assert "60,0%" in page.content.decode() and "3 / 5" in page.content.decode()
    units = {u["name"]: u for u in data["units"]}
    assert (
        next(
            i
            for i in units["Xã An Bình"]["indicators"]
            if i["code"] == "officials_trained"
        )["value"]
        == 33.3
    )
    table = io.StringIO()
    call_command(
        "indicators", "--area", tree.province.code, "--to", "31/12/2025", stdout=table
    )
    assert "officials_trained" in table.getvalue() and "60,0%" in table.getvalue()


def test_the_command_refuses_an_unknown_area_or_a_bad_date(tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99999"):
        call_command("indicators", "--area", "99999")
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("indicators", "--area", tree.province.code, "--from", "2025/13/45")
