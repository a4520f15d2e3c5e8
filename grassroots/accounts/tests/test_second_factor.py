"""The second factor cannot be taken away or swapped with the password alone."""

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts import actions
from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.accounts.tests.test_actions import code_for
from grassroots.testing import PASSWORD, make_user


def _enrolled(role, area, **fields):
    user = make_user(role, area, **fields)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def _secret(device):
    return base64.b32encode(device.bin_key).decode()


def _login(client, user):
    response = client.post(
        "/console/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


class TestRemovingOwnFactor:
    def test_the_password_alone_does_not_remove_the_second_factor(self, tree, client):
        user, _device = _enrolled(Role.OPERATOR, tree.commune_a)
        _login(client, user)  # password only: the session is not verified
        client.post("/console/2fa/remove/")
        client.post("/console/2fa/remove/", {"token": "000000"})
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert not AuditEntry.objects.filter(action="account.2fa_disable").exists()

    def test_a_fresh_code_removes_it_and_is_audited(self, tree, client):
        user, device = _enrolled(Role.OPERATOR, tree.commune_a)
        _login(client, user)
        response = client.post("/console/2fa/remove/", {"token": code_for(device)})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=user).exists()
        assert AuditEntry.objects.filter(action="account.2fa_disable", actor=user)

    def test_the_action_refuses_without_a_code(self, tree):
        user, device = _enrolled(Role.OPERATOR, tree.commune_a)
        with pytest.raises(ValidationError):
            actions.remove_second_factor(user, token="")
        with pytest.raises(ValidationError):
            actions.remove_second_factor(user, token="123456")
        actions.remove_second_factor(user, token=code_for(device))
        assert not TOTPDevice.objects.filter(user=user).exists()


class TestReplacingOwnFactor:
    def test_a_new_phone_needs_a_code_of_the_old_one(self, tree, client):
        user, old = _enrolled(Role.OPERATOR, tree.commune_a)
        _login(client, user)
        refused = client.post("/console/2fa/replace/", {"token": "000000"})
        assert refused.status_code == 200
        assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
        client.post("/console/2fa/replace/", {"token": code_for(old)})
        new = TOTPDevice.objects.get(user=user, confirmed=False)
        page = client.get("/console/2fa/setup/").content.decode()
        assert _secret(new) in page  # the new phone's key, for this session only
        response = client.post("/console/2fa/setup/", {"token": code_for(new)})
        assert response.status_code == 302
        assert TOTPDevice.objects.get(user=user).pk == new.pk
        assert AuditEntry.objects.filter(action="account.2fa_replace", actor=user)

    def test_another_session_never_sees_the_pending_phone(self, tree, client):
        user, old = _enrolled(Role.OPERATOR, tree.commune_a)
        _login(client, user)
        client.post("/console/2fa/replace/", {"token": code_for(old)})
        pending = TOTPDevice.objects.get(user=user, confirmed=False)
        client.logout()
        _login(client, user)  # someone else who knows the password
        page = client.get("/console/2fa/setup/").content.decode()
        assert _secret(pending) not in page and "otp-qr" not in page
        client.post("/console/2fa/setup/", {"token": code_for(pending)})
        pending.refresh_from_db()
        assert not pending.confirmed
        assert TOTPDevice.objects.get(user=user, confirmed=True).pk == old.pk


class TestResetByAdministrator:
    def test_a_commune_administrator_resets_a_lost_phone_and_it_is_audited(
        self, tree, client
    ):
        admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
        user, _device = _enrolled(Role.OPERATOR, tree.hamlet_a1)
        client.force_login(admin)
        url = f"/console/users/reset-2fa/{user.pk}/"
        assert client.get(url).status_code == 200
        empty = client.post(url, {"reason": ""})
        assert empty.status_code == 200
        assert TOTPDevice.objects.filter(user=user).exists()
        response = client.post(url, {"reason": "Mất điện thoại"})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=user).exists()
        entry = AuditEntry.objects.get(action="account.2fa_reset")
        assert entry.actor == admin and entry.object_id == str(user.pk)
        assert entry.data["reason"] == "Mất điện thoại"

    def test_nobody_resets_someone_they_may_not_manage(self, tree, client):
        admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
        province_official, _ = _enrolled(Role.APPROVER, tree.province)
        # Works in the commune, but holds a province role.
        lodged, _ = _enrolled(None, tree.commune_a)
        actions.grant_role(None, lodged, Role.OPERATOR, tree.province)
        root = make_user(None, tree.commune_a)
        root.is_superuser = True
        root.save()
        TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
        editor = make_user(Role.EDITOR, tree.commune_a)
        colleague, _ = _enrolled(Role.OPERATOR, tree.commune_a)
        for target in (province_official, lodged, root):
            with pytest.raises(PermissionDenied):
                actions.reset_second_factor(admin, target, reason="lost")
        with pytest.raises(PermissionDenied):
            actions.reset_second_factor(editor, colleague, reason="lost")
        client.force_login(admin)
        for target in (province_official, lodged, root):
            response = client.post(
                f"/console/users/reset-2fa/{target.pk}/", {"reason": "lost"}
            )
            assert response.status_code == 404
            assert TOTPDevice.objects.filter(user=target).exists()


@pytest.mark.parametrize(
    ("role", "must"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.APPROVER, True),
        (Role.OPERATOR, True),
        (Role.EDITOR, False),
        (Role.FEEDBACK_HANDLER, False),
        (Role.VIEWER, False),
    ],
)
def test_whoever_can_broadcast_approve_or_administer_must_enrol(role, must, tree):
    from grassroots.accounts import second_factor

    assert second_factor.should_enrol(make_user(role, tree.commune_a)) is must


def test_superusers_must_enrol(tree):
    from grassroots.accounts import second_factor

    root = make_user(None, None)
    root.is_superuser = True
    root.save()
    assert second_factor.should_enrol(root)
