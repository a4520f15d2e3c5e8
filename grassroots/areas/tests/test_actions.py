import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from grassroots.accounts.models import AuditEntry
from grassroots.areas import actions
from grassroots.areas.models import Area, Kind, Level
from grassroots.core.tabular import TableError
from grassroots.testing import make_user


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def xlsx_file(rows: list[list[object]]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


class TestCatalogue:
    def test_imports_dong_thap_with_its_102_communes(self, db):
        result = actions.import_catalogue([82])
        province = Area.objects.get(level=Level.PROVINCE, code="82")
        assert province.name == "Đồng Tháp"
        assert province.children.filter(level=Level.COMMUNE).count() == 102
        assert result.created == 103
        my_tho = Area.objects.get(code="28261")
        assert (my_tho.name, my_tho.kind, my_tho.path) == (
            "Phường Mỹ Tho",
            Kind.WARD,
            "82/28261/",
        )

    def test_running_again_updates_and_never_duplicates(self, db):
        actions.import_catalogue([82])
        Area.objects.filter(code="28261").update(name="Tên cũ")
        result = actions.import_catalogue([82])
        assert (result.created, result.updated, result.unchanged) == (0, 1, 102)
        assert Area.objects.get(code="28261").name == "Phường Mỹ Tho"
        assert Area.objects.filter(level=Level.COMMUNE).count() == 102

    def test_the_whole_country(self, db):
        actions.import_catalogue(None)
        assert Area.objects.provinces().count() == 34
        assert Area.objects.communes().count() == 3321

    def test_a_commune_that_left_the_catalogue_becomes_inactive_with_its_history(
        self, db
    ):
        actions.import_catalogue([82])
        province = Area.objects.get(code="82")
        gone = Area.objects.create(
            parent=province,
            code="99999",
            name="Xã Cũ",
            kind=Kind.COMMUNE,
            level=Level.COMMUNE,
            path="82/99999/",
        )
        result = actions.import_catalogue([82])
        gone.refresh_from_db()
        assert result.deactivated == 1 and not gone.is_active

    def test_a_commune_moved_to_another_province_takes_its_hamlets_along(self, db):
        actions.import_catalogue([82])
        commune = Area.objects.get(code="28261")
        stray = Area.objects.create(
            code="01",
            name="Elsewhere",
            kind=Kind.PROVINCE,
            level=Level.PROVINCE,
            path="01/",
        )
        actions.save_hamlet(
            None, commune=commune, code="H01", name="Khu phố 1", kind=Kind.NEIGHBOURHOOD
        )
        Area.objects.filter(pk=commune.pk).update(parent=stray, path="01/28261/")
        Area.objects.filter(code="H01").update(path="01/28261/H01/")
        actions.import_catalogue([82])
        assert Area.objects.get(code="H01").path == "82/28261/H01/"

    def test_an_unknown_province_code_is_refused(self, db):
        with pytest.raises(ValidationError, match="Không có tỉnh mang mã: 7"):
            actions.import_catalogue([7])


GOOD_CSV = """code,name,kind,latitude,longitude
H01,Ấp Phú Thọ,ấp,10.67,105.56
H02,Ấp Phú Hòa,ap,,
H03,Tổ dân phố 3,tổ dân phố,10.68,105.57
"""


class TestHamletImport:
    def test_a_good_csv_is_imported(self, tree):
        result = actions.import_hamlets(csv_file(GOOD_CSV), commune=tree.commune_a)
        assert result.created == 3
        h3 = Area.objects.get(parent=tree.commune_a, code="H03")
        assert (h3.name, h3.kind, h3.level, h3.latitude) == (
            "Tổ dân phố 3",
            Kind.RESIDENTIAL_GROUP,
            Level.HAMLET,
            10.68,
        )
        assert h3.path == f"{tree.commune_a.path}H03/"

    def test_reimport_updates_rather_than_duplicates(self, tree):
        actions.import_hamlets(csv_file(GOOD_CSV), commune=tree.commune_a)
        result = actions.import_hamlets(
            csv_file(GOOD_CSV.replace("Ấp Phú Hòa", "Ấp Phú Hòa Mới")),
            commune=tree.commune_a,
        )
        assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
        assert (
            Area.objects.filter(parent=tree.commune_a, code="H02").get().name
            == "Ấp Phú Hòa Mới"
        )

    def test_xlsx_with_vietnamese_headers(self, tree):
        rows = [
            ["Mã", "Tên", "Loại", "Vĩ độ", "Kinh độ"],
            ["A1", "Thôn Đông", "thôn", 21.0, 105.8],
            [7, "Thôn 7", "thôn", None, None],
        ]
        result = actions.import_hamlets(xlsx_file(rows), commune=tree.commune_b)
        assert result.created == 2
        assert Area.objects.get(parent=tree.commune_b, code="7").name == "Thôn 7"

    def test_a_bad_file_is_reported_row_by_row_and_changes_nothing(self, tree):
        actions.import_hamlets(csv_file(GOOD_CSV), commune=tree.commune_a)
        before = list(Area.objects.order_by("pk").values())
        bad = (
            "code,name,kind,latitude,longitude\n"
            "H01,Ấp đổi tên,ấp,10.67,105.56\n"  # valid: would rename H01
            "H 9,Ấp Chín,ấp,,\n"  # bad code
            "H10,,ấp,,\n"  # no name
            "H11,Ấp Mười Một,quận,,\n"  # not a hamlet kind
            "H12,Ấp Mười Hai,ấp,95,105\n"  # latitude outside Vietnam
            "H13,Ấp Mười Ba,ấp,10.5,\n"  # only one coordinate
            "H01,Ấp trùng,ấp,,\n"  # duplicate code
        )
        with pytest.raises(TableError) as caught:
            actions.import_hamlets(csv_file(bad), commune=tree.commune_a)
        label = {c.name: str(c.label) for c in actions.HAMLET_COLUMNS}
        reported = {(e.line, e.column) for e in caught.value.errors}
        expected = {
            (3, "code"),
            (4, "name"),
            (5, "kind"),
            (6, "latitude"),
            (7, "longitude"),
            (8, "code"),
        }
        assert reported == {(line, label[name]) for line, name in expected}
        assert list(Area.objects.order_by("pk").values()) == before

    @pytest.mark.parametrize(
        "content, message",
        [
            (b"", "Tệp trống"),
            ("code;name\nH1;Ấp".encode("utf-16"), "không phải"),
            (b"PK\x03\x04 this is not really a spreadsheet", "Không đọc được tệp XLSX"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "không phải tệp CSV hay XLSX"),
            (b"name,kind\nAp 1,ap\n", "thiếu cột"),
            (b"code,name\n", "không có dữ liệu"),
        ],
    )
    def test_files_that_are_not_hamlet_lists_are_refused_with_a_reason(
        self, tree, content, message
    ):
        with pytest.raises(TableError) as caught:
            actions.import_hamlets(io.BytesIO(content), commune=tree.commune_a)
        assert message in " ".join(e.message for e in caught.value.errors)

    def test_a_huge_file_is_refused_before_parsing(self, tree):
        huge = io.BytesIO(b"code,name\n" + b"H1,Ap\n" * 1_000_000)
        with pytest.raises(TableError, match="lớn hơn 5 MB"):
            actions.import_hamlets(huge, commune=tree.commune_a)

    def test_a_commune_column_routes_rows_and_unknown_communes_are_errors(self, tree):
        text = f"commune_code,code,name\n{tree.commune_a.code},H1,Ấp A\n{tree.commune_b.code},H1,Khóm B\nNOPE,H2,Ấp X\n"
        with pytest.raises(TableError) as caught:
            actions.import_hamlets(csv_file(text))
        assert [(e.line, "NOPE" in e.message) for e in caught.value.errors] == [
            (4, True)
        ]
        result = actions.import_hamlets(csv_file(text.rsplit("NOPE", 1)[0]))
        assert result.created == 2
        assert Area.objects.get(parent=tree.commune_b, code="H1").name == "Khóm B"

    def test_staff_may_only_import_into_their_own_commune(self, tree):
        admin_a = make_user("administrator", tree.commune_a)
        with pytest.raises(TableError, match="không có quyền"):
            actions.import_hamlets(
                csv_file(GOOD_CSV), commune=tree.commune_b, actor=admin_a
            )
        actions.import_hamlets(
            csv_file(GOOD_CSV), commune=tree.commune_a, actor=admin_a
        )
        assert (
            AuditEntry.objects.filter(
                action="areas.import_hamlets", actor=admin_a
            ).count()
            == 1
        )


class TestSaveHamlet:
    def test_create_and_edit_a_hamlet(self, tree):
        operator = make_user("administrator", tree.commune_a)
        hamlet = actions.save_hamlet(
            operator, commune=tree.commune_a, code="N1", name="Ấp Mới", kind=Kind.HAMLET
        )
        assert hamlet.path == f"{tree.commune_a.path}N1/"
        actions.save_hamlet(
            operator,
            commune=tree.commune_a,
            code="N2",
            name="Ấp Mới Đổi",
            kind=Kind.HAMLET,
            hamlet=hamlet,
        )
        hamlet.refresh_from_db()
        assert (hamlet.code, hamlet.name, hamlet.path) == (
            "N2",
            "Ấp Mới Đổi",
            f"{tree.commune_a.path}N2/",
        )
        assert (
            AuditEntry.objects.filter(
                actor=operator, action__startswith="areas."
            ).count()
            == 2
        )

    def test_a_duplicate_code_and_another_commune_are_refused(self, tree):
        admin_a = make_user("administrator", tree.commune_a)
        with pytest.raises(ValidationError):
            actions.save_hamlet(
                admin_a,
                commune=tree.commune_a,
                code=tree.hamlet_a1.code,
                name="Trùng",
                kind=Kind.HAMLET,
            )
        with pytest.raises(PermissionDenied):
            actions.save_hamlet(
                admin_a,
                commune=tree.commune_b,
                code="Z1",
                name="Ngoài",
                kind=Kind.HAMLET,
            )
        editor = make_user("editor", tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.save_hamlet(
                editor,
                commune=tree.commune_a,
                code="Z2",
                name="Không quyền",
                kind=Kind.HAMLET,
            )
