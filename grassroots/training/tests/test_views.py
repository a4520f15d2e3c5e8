"""The training console through the real views: forms, attendance, certificates."""

import datetime
import io

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from grassroots.accounts.models import AuditEntry
from grassroots.testing import make_user
from grassroots.training.models import Attendance, Official, Status, Topic

from . import builders as b

D = datetime.date


@pytest.fixture
def admin_a(tree, client):
    user = make_user("administrator", tree.commune_a)
    client.force_login(user)
    return user


def test_adding_a_person_through_the_console_goes_through_the_action(
    client, tree, admin_a
):
    response = client.post(
        "/console/training/roster/new/",
        {
            "full_name": "Đỗ Thị Ngọc Hân",
            "area": tree.hamlet_a2.pk,
            "position": "Cộng tác viên <script>alert(1)</script>",
            "category": "collaborator",
            "needs_training": "on",
            "started_on": "01/02/2025",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Official.objects.get()
    assert person.area == tree.hamlet_a2 and person.started_on == D(2025, 2, 1)
    assert AuditEntry.objects.filter(action="training.official_create").exists()
    listing = client.get("/console/training/roster/").content.decode()
    assert "Đỗ Thị Ngọc Hân" in listing and "<script>alert(1)</script>" not in listing


def test_a_refused_save_shows_the_reason_on_the_form_and_keeps_the_input(
    client, tree, admin_a
):
    b.official(tree.commune_a, code="X01")
    response = client.post(
        "/console/training/roster/new/",
        {
            "full_name": "Phan Văn Trí",
            "area": tree.commune_a.pk,
            "code": "X01",
            "category": "official",
            "started_on": "01/05/2025",
            "left_on": "01/04/2025",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phan Văn Trí" in body
    assert "Ngày nghỉ việc không thể trước ngày vào danh sách." in body
    assert "Một người khác của đơn vị này đã có mã cán bộ này." in body
    assert Official.objects.count() == 1


def test_an_area_outside_the_scope_cannot_be_chosen(client, tree, admin_a):
    response = client.post(
        "/console/training/roster/new/",
        {"full_name": "X", "area": tree.commune_b.pk, "category": "official"},
    )
    assert response.status_code == 200
    assert not Official.objects.exists()


def test_a_person_of_another_commune_is_not_found(client, tree, admin_a):
    other = b.official(tree.commune_b)
    for url in ("edit", "delete", "inspect"):
        response = client.get(f"/console/training/roster/{url}/{other.pk}/")
        assert response.status_code == 404, url


def test_recording_the_attendance_sheet_and_printing_a_certificate(
    client, tree, admin_a
):
    course = b.course(tree.commune_a, Topic.AUTHORING, title="Biên tập tin bài")
    session = b.session(
        course, D(2025, 5, 6), D(2025, 5, 7), place="Hội trường UBND xã An Bình"
    )
    person = b.official(
        tree.commune_a, "Huỳnh Thị Ánh Tuyết", position="Công chức Văn hóa - Xã hội"
    )
    url = f"/console/training/sessions/{session.pk}/attendance/"
    response = client.post(url, {"what": "enrol", "officials": [person.pk]})
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    prefix = f"a{attendance.pk}"
    response = client.post(
        url,
        {
            "what": "record",
            f"{prefix}-status": "completed",
            f"{prefix}-result": "Giỏi",
            f"{prefix}-completed_on": "07/05/2025",
        },
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Status.COMPLETED and attendance.certificate_number
    page = client.get(url).content.decode()
    assert attendance.certificate_number in page
    pdf = client.get(f"/console/training/certificates/{attendance.pk}/")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for expected in (
        "GIẤY CHỨNG NHẬN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Huỳnh Thị Ánh Tuyết",
        "Biên tập tin bài",
        "Ứng dụng CNTT trong biên tập thông tin",
        "Hội trường UBND xã An Bình",
        "ngày 07 tháng 05 năm 2025",
        attendance.certificate_number,
    ):
        assert expected in text, expected
    assert AuditEntry.objects.filter(action="training.certificate").exists()


def test_a_bad_date_in_the_sheet_changes_nothing(client, tree, admin_a):
    session = b.session(b.course(tree.commune_a), D(2025, 5, 6))
    people = [b.official(tree.commune_a) for _ in range(2)]
    from grassroots.training import actions

    rows = actions.enrol(admin_a, session, people)
    url = f"/console/training/sessions/{session.pk}/attendance/"
    response = client.post(
        url,
        {
            "what": "record",
            f"a{rows[0].pk}-status": "completed",
            f"a{rows[0].pk}-completed_on": "06/05/2025",
            f"a{rows[1].pk}-status": "completed",
            f"a{rows[1].pk}-completed_on": "01/01/2020",  # before the session
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Attendance.objects.filter(status=Status.COMPLETED).exists()


def test_a_certificate_is_not_printed_for_someone_who_did_not_complete(
    client, tree, admin_a
):
    session = b.session(b.course(tree.commune_a), D(2025, 5, 6))
    attendance = Attendance.objects.create(
        session=session, official=b.official(tree.commune_a)
    )
    response = client.get(f"/console/training/certificates/{attendance.pk}/")
    assert response.status_code == 302
    outsider = b.completed(
        b.official(tree.commune_b), tree.commune_b, Topic.ARCHIVING, D(2025, 1, 1)
    )
    assert (
        client.get(f"/console/training/certificates/{outsider.pk}/").status_code == 404
    )


def test_the_roster_import_page_lists_every_problem(client, tree, admin_a):
    book = Workbook()
    book.active.append(["Họ và tên", "Ngày sinh"])
    book.active.append(["", "32/01/1990"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "ds.xlsx"
    response = client.post(
        "/console/training/roster-import/",
        {"area": tree.commune_a.pk, "file": buffer},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Chưa nhập dữ liệu nào" in body
    assert "“32/01/1990” không phải là ngày" in body
    assert not Official.objects.exists()
