"""Roster and attendance imports: all or nothing, a report by line and column."""

import datetime
import io

import pytest
from openpyxl import Workbook

from grassroots.core.tabular import TableError
from grassroots.testing import make_user
from grassroots.training import imports
from grassroots.training.models import Attendance, Official, Status

from . import builders as b

D = datetime.date


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


ROSTER_HEADER = [
    "Mã đơn vị",
    "Mã cán bộ",
    "Họ và tên",
    "Ngày sinh",
    "Chức vụ",
    "Loại",
    "Cần đào tạo",
]


@pytest.fixture
def admin(tree):
    return make_user("administrator", tree.province)


def test_a_roster_file_is_imported_and_a_second_upload_updates_it(tree, admin):
    rows = [
        ROSTER_HEADER,
        ["", "T01", "Nguyễn Văn Hùng", "15/03/1980", "Chuyên viên", "cán bộ", "có"],
        [
            tree.commune_a.code,
            "X01",
            "Trần Thị Lan",
            D(1990, 7, 2),
            "",
            "nhân viên đài",
            "Có",
        ],
        [tree.hamlet_a1.path, "", "Lê Văn Tư", "", "Cộng tác viên", "CTV", "không"],
    ]
    result = imports.import_roster(xlsx(rows), area=tree.province, actor=admin)
    assert (result.created, result.updated) == (3, 0)
    lan = Official.objects.get(full_name="Trần Thị Lan")
    assert lan.area == tree.commune_a and lan.date_of_birth == D(1990, 7, 2)
    tu = Official.objects.get(full_name="Lê Văn Tư")
    assert tu.area == tree.hamlet_a1 and not tu.needs_training
    rows[1][4] = "Trưởng phòng"
    result = imports.import_roster(xlsx(rows), area=tree.province, actor=admin)
    assert (result.created, result.updated) == (0, 3)
    assert Official.objects.count() == 3
    assert Official.objects.get(code="T01").position == "Trưởng phòng"


def test_any_bad_row_imports_nothing_and_every_problem_is_reported(tree, admin):
    rows = [
        ROSTER_HEADER,
        ["", "T01", "Nguyễn Văn Hùng", "15/03/1980", "", "", ""],
        ["99999", "", "Không Có Xã", "", "", "", ""],
        ["", "", "", "31/02/1990", "", "giám đốc", "có lẽ"],
        [tree.other_commune.code, "", "Ngoài Tỉnh", "", "", "", ""],
        ["", "T01", "Nguyễn Văn Hùng", "15/03/1980", "", "", ""],
    ]
    with pytest.raises(TableError) as info:
        imports.import_roster(xlsx(rows), area=tree.province, actor=admin)
    problems = {(e.line, e.column) for e in info.value.errors}
    assert (3, "mã đơn vị") in {(e.line, e.column.lower()) for e in info.value.errors}
    lines = {line for line, _column in problems}
    assert lines == {3, 4, 5, 6}
    assert (
        len([e for e in info.value.errors if e.line == 4]) == 4
    )  # name, date, kind, yes/no
    assert Official.objects.count() == 0


def test_a_commune_administrator_cannot_import_into_another_commune(tree):
    admin = make_user("administrator", tree.commune_a)
    rows = [ROSTER_HEADER, [tree.commune_b.code, "", "Phạm Văn B", "", "", "", ""]]
    with pytest.raises(TableError) as info:
        imports.import_roster(xlsx(rows), area=tree.commune_a, actor=admin)
    assert info.value.errors[0].line == 2
    assert Official.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(tree, admin):
    with pytest.raises(TableError) as info:
        imports.import_roster(
            io.BytesIO(b"PK\x03\x04garbage" + b"\x00" * 100),
            area=tree.province,
            actor=admin,
        )
    assert info.value.errors[0].line == 1


def test_an_attendance_sheet_enrols_and_records_completion(tree, admin):
    session = b.session(b.course(tree.province), D(2025, 4, 8), D(2025, 4, 9))
    hung = b.official(tree.commune_a, "Nguyễn Văn Hùng", code="X01")
    lan = b.official(tree.commune_b, "Trần Thị Lan")
    b.official(tree.commune_a, "Trần Thị Lan")  # a namesake in another commune
    rows = [
        ["Mã đơn vị", "Mã cán bộ", "Họ tên", "Trạng thái", "Kết quả"],
        [tree.commune_a.code, "X01", "Nguyễn Văn Hùng", "Hoàn thành", "Giỏi"],
        [tree.commune_b.code, "", "tran thi lan", "vắng", ""],
    ]
    result = imports.import_attendance(xlsx(rows), session=session, actor=admin)
    assert result.created == 2
    done = Attendance.objects.get(official=hung)
    assert (done.status, done.result, done.completed_on) == (
        Status.COMPLETED,
        "Giỏi",
        D(2025, 4, 9),
    )
    assert done.certificate_number
    assert Attendance.objects.get(official=lan).status == Status.ABSENT


def test_an_unknown_or_ambiguous_person_stops_the_whole_sheet(tree, admin):
    session = b.session(b.course(tree.province), D(2025, 4, 8))
    b.official(tree.commune_a, "Trần Thị Lan")
    b.official(tree.commune_b, "Trần Thị Lan")
    b.official(tree.commune_a, "Võ Văn Kiệt")
    rows = [
        ["Họ tên", "Trạng thái"],
        ["Võ Văn Kiệt", "hoàn thành"],
        ["Trần Thị Lan", "hoàn thành"],
        ["Người Lạ", "có mặt"],
    ]
    with pytest.raises(TableError) as info:
        imports.import_attendance(xlsx(rows), session=session, actor=admin)
    assert [e.line for e in info.value.errors] == [3, 4]
    assert Attendance.objects.count() == 0
