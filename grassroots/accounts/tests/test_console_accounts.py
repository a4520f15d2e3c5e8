"""Staff accounts are created, edited and deleted in the console through ``actions``.

Each step is audited; an account with a history is closed, not deleted; a
refusal comes back on the form, never Wagtail's bare save or a 500.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts import actions, audit
from grassroots.accounts.models import AuditEntry, RoleAssignment, User
from grassroots.accounts.roles import Role
from grassroots.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STRONG = "Mật-khẩu-rất-dài-2026"


@pytest.fixture
def admin(tree):
    return make_user(Role.ADMINISTRATOR, tree.commune_a, username="admin_a")


@pytest.fixture
def root(tree):
    """Only a superuser may delete accounts; administrators close them."""
    user = make_user(None, tree.province, username="root")
    user.is_superuser = True
    user.save()
    return user


def test_creating_an_account_in_the_console_runs_the_action(admin, client, tree):
    client.force_login(admin)
    response = client.post(
        "/console/users/new/",
        {
            "username": "can_bo_moi",
            "last_name": "Nguyễn",
            "first_name": "Thị Hoa",
            "email": "hoa@example.vn",
            "phone": "0912345678",
            "position": "Văn thư",
            "area": tree.commune_a.pk,
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="can_bo_moi")
    assert user.area == tree.commune_a and user.check_password(STRONG)
    assert not user.is_superuser
    entries = AuditEntry.objects.filter(action="account.create", object_id=str(user.pk))
    assert [e.actor for e in entries] == [admin], "one entry, by the administrator"


def test_an_area_outside_ones_own_is_refused_on_the_form(admin, client, tree):
    client.force_login(admin)
    response = client.post(
        "/console/users/new/",
        {
            "username": "ngoai",
            "area": tree.commune_b.pk,
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="ngoai").exists()


def test_editing_names_email_and_closing_runs_the_action(admin, client, tree):
    clerk = make_user(Role.EDITOR, tree.commune_a, username="clerk")
    client.force_login(admin)
    response = client.post(
        f"/console/users/edit/{clerk.pk}/",
        {
            "username": "clerk",
            "last_name": "Trần",
            "first_name": "Văn Ba",
            "email": "ba@example.vn",
            "area": tree.commune_a.pk,
            "is_active": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    clerk.refresh_from_db()
    assert (clerk.last_name, clerk.email, clerk.is_active) == (
        "Trần",
        "ba@example.vn",
        False,
    )
    change = AuditEntry.objects.get(action="account.change", object_id=str(clerk.pk))
    assert change.actor == admin
    assert set(change.data["fields"]) == {"last_name", "first_name", "email"}
    assert AuditEntry.objects.filter(
        action="account.deactivate", object_id=str(clerk.pk), actor=admin
    ).exists()


def test_update_user_checks_the_new_area_and_the_superuser_flag(admin, tree):
    clerk = make_user(Role.EDITOR, tree.hamlet_a1, username="clerk")
    with pytest.raises(PermissionDenied):
        actions.update_user(admin, clerk, area=tree.commune_b)
    with pytest.raises(PermissionDenied):
        actions.update_user(admin, clerk, is_superuser=True)
    with pytest.raises(ValidationError):
        actions.update_user(admin, clerk, password="123")
    clerk.refresh_from_db()
    assert clerk.area == tree.hamlet_a1 and not clerk.is_superuser
    assert actions.update_user(admin, clerk, position="Trưởng ấp") == ["position"]
    assert actions.update_user(admin, clerk, position="Trưởng ấp") == []


def test_an_unused_account_is_deleted_and_the_deletion_audited(root, client, tree):
    mistake = make_user(Role.VIEWER, tree.hamlet_a1, username="go_nham")
    client.force_login(root)
    response = client.post(f"/console/users/delete/{mistake.pk}/")
    assert response.status_code == 302
    assert not User.objects.filter(pk=mistake.pk).exists()
    assert not RoleAssignment.objects.filter(user_id=mistake.pk).exists()
    entry = AuditEntry.objects.get(action="account.delete")
    assert entry.actor == root and entry.data["username"] == "go_nham"
    assert entry.object_id == str(mistake.pk)


def test_an_account_with_a_history_is_closed_instead_of_deleted(root, client, tree):
    """Its sign-ins and what it wrote keep naming it: deleting would orphan them."""
    from grassroots.bulletins.tests.builders import make_bulletin

    writer = make_user(Role.EDITOR, tree.hamlet_a1, username="nguoi_viet")
    make_bulletin(writer, tree.hamlet_a1, title="Thông báo")
    signed_in = make_user(Role.VIEWER, tree.hamlet_a1, username="da_dang_nhap")
    audit.record("account.login", signed_in, signed_in)
    client.force_login(root)
    for user in (writer, signed_in):
        response = client.post(f"/console/users/delete/{user.pk}/", follow=True)
        assert response.status_code == 200
        assert "khóa thay vì xóa" in response.content.decode()
        user.refresh_from_db()
        assert not user.is_active
        assert AuditEntry.objects.filter(
            action="account.deactivate", object_id=str(user.pk), actor=root
        ).exists()
    assert not AuditEntry.objects.filter(action="account.delete").exists()


def test_nobody_deletes_their_own_account_or_one_they_do_not_manage(admin, tree):
    neighbour = make_user(Role.EDITOR, tree.commune_b, username="neighbour")
    with pytest.raises(PermissionDenied):
        actions.delete_user(admin, admin)
    with pytest.raises(PermissionDenied):
        actions.delete_user(admin, neighbour)
    assert User.objects.filter(pk__in=[admin.pk, neighbour.pk]).count() == 2


def test_groups_and_sites_cannot_be_changed_in_the_console(root, client):
    """Groups follow roles, the site is set at installation: read only, even for root."""
    from django.contrib.auth.models import Group

    client.force_login(root)
    group = Group.objects.create(name="tay")
    assert client.get("/console/groups/new/").status_code in (302, 403)
    client.post(f"/console/groups/delete/{group.pk}/")
    assert Group.objects.filter(pk=group.pk).exists()
    assert client.get("/console/sites/new/").status_code in (302, 403)


def test_an_administrator_closes_accounts_and_may_not_delete_them(admin, client, tree):
    clerk = make_user(Role.EDITOR, tree.commune_a, username="clerk")
    client.force_login(admin)
    client.post(f"/console/users/delete/{clerk.pk}/")
    clerk.refresh_from_db()
    assert clerk.is_active and clerk.check_password(PASSWORD)
