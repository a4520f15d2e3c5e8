"""Training actions: rules, scope, audit, and the indicator snapshots they invalidate."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.models import AuditEntry
from grassroots.indicators.models import Snapshot
from grassroots.testing import make_user
from grassroots.training import actions
from grassroots.training.models import Category, Status, Topic

from . import builders as b

D = datetime.date


@pytest.fixture
def admin_a(tree):
    return make_user("administrator", tree.commune_a)


class TestRoster:
    def test_an_administrator_adds_a_person_to_the_roster_of_the_commune(
        self, tree, admin_a
    ):
        person = actions.save_official(
            admin_a,
            area=tree.hamlet_a1,
            full_name="  Lê   Thị Hoa ",
            position="Cộng tác viên",
            category=Category.COLLABORATOR,
        )
        assert person.full_name == "Lê Thị Hoa"
        entry = AuditEntry.objects.get(action="training.official_create")
        assert entry.actor == admin_a and entry.area_path == tree.hamlet_a1.path

    def test_another_commune_is_refused(self, tree, admin_a):
        with pytest.raises(PermissionDenied):
            actions.save_official(admin_a, area=tree.commune_b, full_name="Ngô Văn B")

    def test_a_viewer_may_not_keep_records(self, tree):
        viewer = make_user("viewer", tree.province)
        with pytest.raises(PermissionDenied):
            actions.save_official(viewer, area=tree.commune_a, full_name="Ngô Văn B")

    def test_leaving_before_joining_and_duplicate_codes_are_refused(
        self, tree, admin_a
    ):
        actions.save_official(admin_a, area=tree.commune_a, full_name="A", code="X1")
        with pytest.raises(ValidationError) as info:
            actions.save_official(
                admin_a,
                area=tree.commune_a,
                full_name="B",
                code="X1",
                started_on=D(2025, 5, 1),
                left_on=D(2025, 4, 1),
            )
        assert set(info.value.message_dict) == {"code", "left_on"}

    def test_a_staff_account_outside_the_area_cannot_be_linked(self, tree, admin_a):
        outsider = make_user("viewer", tree.other_commune)
        with pytest.raises(PermissionDenied):
            actions.save_official(
                admin_a, area=tree.commune_a, full_name="C", account=outsider
            )

    def test_someone_with_training_records_is_not_deleted(self, tree, admin_a):
        person = b.official(tree.commune_a)
        b.completed(person, tree.commune_a, Topic.PROFESSIONAL, D(2025, 1, 1))
        with pytest.raises(ValidationError):
            actions.delete_official(admin_a, person)
        fresh = b.official(tree.commune_a)
        actions.delete_official(admin_a, fresh)
        assert AuditEntry.objects.filter(action="training.official_delete").exists()


class TestAttendance:
    def test_completion_issues_one_certificate_number_that_is_kept(self, tree, admin_a):
        session = b.session(b.course(tree.commune_a), D(2025, 3, 3), D(2025, 3, 5))
        person = b.official(tree.commune_a)
        (attendance,) = actions.enrol(admin_a, session, [person])
        actions.record_attendance(admin_a, attendance, status=Status.COMPLETED)
        assert attendance.completed_on == D(2025, 3, 5)  # the session's last day
        number = attendance.certificate_number
        assert number.startswith("2025/")
        actions.record_attendance(admin_a, attendance, status=Status.ATTENDED)
        actions.record_attendance(admin_a, attendance, status=Status.COMPLETED)
        attendance.refresh_from_db()
        assert attendance.certificate_number == number

    def test_completion_before_the_session_is_refused(self, tree, admin_a):
        session = b.session(b.course(tree.commune_a), D(2025, 3, 3))
        (attendance,) = actions.enrol(admin_a, session, [b.official(tree.commune_a)])
        with pytest.raises(ValidationError):
            actions.record_attendance(
                admin_a, attendance, status=Status.COMPLETED, completed_on=D(2025, 1, 1)
            )

    def test_enrolling_someone_outside_the_area_is_refused(self, tree, admin_a):
        session = b.session(b.course(tree.commune_a), D(2025, 3, 3))
        with pytest.raises(PermissionDenied):
            actions.enrol(admin_a, session, [b.official(tree.other_commune)])

    def test_enrolling_twice_adds_nobody_twice(self, tree, admin_a):
        session = b.session(b.course(tree.commune_a), D(2025, 3, 3))
        person = b.official(tree.commune_a)
        assert len(actions.enrol(admin_a, session, [person])) == 1
        assert actions.enrol(admin_a, session, [person]) == []

    def test_a_late_completion_drops_the_snapshots_it_makes_stale(self, tree, admin_a):
        from grassroots.indicators import snapshots

        person = b.official(tree.commune_a)
        snapshots.refresh(history=30, codes=["officials_trained"])
        before = Snapshot.objects.filter(area=tree.province).count()
        assert before > 0
        session = b.session(
            b.course(tree.commune_a, Topic.EQUIPMENT), D(2025, 6, 2), D(2025, 6, 3)
        )
        (attendance,) = actions.enrol(admin_a, session, [person])
        actions.record_attendance(admin_a, attendance, status=Status.COMPLETED)
        kept = Snapshot.objects.filter(area=tree.province)
        assert kept.filter(month__gte=D(2025, 6, 1)).count() == 0
        assert kept.filter(month__lt=D(2025, 6, 1)).count() > 0
        # Another province's snapshots are untouched.
        assert Snapshot.objects.filter(area=tree.other_province).count() == before

    def test_a_session_with_completions_is_not_deleted(self, tree, admin_a):
        person = b.official(tree.commune_a)
        attendance = b.completed(person, tree.commune_a, Topic.ARCHIVING, D(2025, 2, 2))
        with pytest.raises(ValidationError):
            actions.delete_session(admin_a, attendance.session)
        with pytest.raises(ValidationError):
            actions.remove_attendance(
                admin_a,
                actions.record_attendance(None, attendance, status=Status.COMPLETED),
            )
