import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts import actions, scope
from grassroots.accounts.groups import group_name
from grassroots.accounts.models import AuditEntry, RoleAssignment
from grassroots.accounts.roles import Capability, Role
from grassroots.testing import make_user


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class TestAccounts:
    def test_a_commune_administrator_creates_staff_of_the_commune_only(self, tree):
        admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
        user = actions.create_user(
            admin, username="can.bo", password="song-nuoc-mien-tay", area=tree.hamlet_a1
        )
        assert user.check_password("song-nuoc-mien-tay")
        assert AuditEntry.objects.filter(
            action="account.create", actor=admin, object_id=str(user.pk)
        ).exists()
        with pytest.raises(PermissionDenied):
            actions.create_user(
                admin,
                username="ngoai",
                password="song-nuoc-mien-tay",
                area=tree.commune_b,
            )

    def test_weak_passwords_are_refused(self, tree):
        with pytest.raises(ValidationError):
            actions.create_user(
                None, username="yeu", password="12345678", area=tree.commune_a
            )

    def test_granting_a_role_puts_the_user_in_its_group_and_is_audited(self, tree):
        admin = make_user(Role.ADMINISTRATOR, tree.province)
        user = make_user(None, tree.commune_a)
        assignment = actions.grant_role(admin, user, Role.APPROVER, tree.commune_a)
        assert scope.can(user, Capability.APPROVE_BULLETINS, tree.hamlet_a1)
        assert list(user.groups.values_list("name", flat=True)) == [
            group_name(Role.APPROVER)
        ]
        assert AuditEntry.objects.filter(action="role.grant", actor=admin).count() == 1
        actions.revoke_role(admin, assignment)
        assert not scope.can(user, Capability.APPROVE_BULLETINS, tree.hamlet_a1)
        assert not user.groups.exists()
        assert AuditEntry.objects.filter(action="role.revoke", actor=admin).count() == 1

    def test_nobody_grants_a_role_outside_their_own_area(self, tree):
        admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
        user = make_user(None, tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.grant_role(admin, user, Role.ADMINISTRATOR, tree.province)
        editor = make_user(Role.EDITOR, tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.grant_role(editor, user, Role.EDITOR, tree.commune_a)
        assert not RoleAssignment.objects.filter(user=user).exists()

    def test_closing_an_account_keeps_it_and_is_audited(self, tree):
        admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
        user = make_user(Role.EDITOR, tree.commune_a)
        actions.set_active(admin, user, False)
        user.refresh_from_db()
        assert (
            not user.is_active
            and AuditEntry.objects.filter(action="account.deactivate").exists()
        )


class TestSecondFactor:
    def test_enrol_confirm_and_remove(self, tree):
        user = make_user(Role.OPERATOR, tree.commune_a)
        device = actions.begin_second_factor(user)
        assert (
            actions.begin_second_factor(user) == device
        )  # one pending device, not many
        assert actions.confirm_second_factor(user, code_for(device))
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        device.last_t = -1  # as if the next code had come up
        device.save()
        actions.remove_second_factor(user, token=code_for(device))
        assert not TOTPDevice.objects.filter(user=user).exists()
        assert [e.action for e in AuditEntry.objects.filter(actor=user).order_by("id")][
            -2:
        ] == [
            "account.2fa_enable",
            "account.2fa_disable",
        ]

    def test_a_wrong_code_does_not_confirm(self, tree):
        user = make_user(Role.OPERATOR, tree.commune_a)
        actions.begin_second_factor(user)
        assert not actions.confirm_second_factor(user, "000000")
        assert not actions.confirm_second_factor(user, "not a code")
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
