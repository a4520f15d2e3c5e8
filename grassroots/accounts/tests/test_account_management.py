"""Who manages whom: an administrator manages only accounts within what they may grant."""

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.accounts import actions, oversight
from grassroots.accounts.models import AuditEntry, RoleAssignment, User
from grassroots.accounts.roles import Role
from grassroots.testing import make_user


@pytest.fixture
def people(tree):
    """A commune administrator and the accounts that work in the commune."""
    lodged = make_user(Role.EDITOR, tree.commune_a, username="lodged")
    actions.grant_role(None, lodged, Role.ADMINISTRATOR, tree.province)
    root = make_user(None, tree.commune_a, username="root")
    root.is_superuser = True
    root.save()
    return {
        "admin": make_user(Role.ADMINISTRATOR, tree.commune_a, username="admin"),
        "clerk": make_user(Role.EDITOR, tree.hamlet_a1, username="clerk"),
        "peer": make_user(Role.ADMINISTRATOR, tree.commune_a, username="peer"),
        "lodged": lodged,
        "root": root,
        "neighbour": make_user(Role.EDITOR, tree.commune_b, username="neighbour"),
    }


def test_only_accounts_whose_roles_are_all_grantable_are_manageable(people):
    admin = people["admin"]
    assert oversight.may_manage(admin, people["clerk"])
    assert oversight.may_manage(admin, people["peer"])
    for name in ("lodged", "root", "neighbour"):
        assert not oversight.may_manage(admin, people[name]), name
    names = set(
        oversight.manageable(User.objects.all(), admin).values_list(
            "username", flat=True
        )
    )
    assert names == {"admin", "clerk", "peer"}


def test_actions_refuse_accounts_outside_what_the_actor_may_grant(people, tree):
    admin, lodged, root = people["admin"], people["lodged"], people["root"]
    for target in (lodged, root):
        with pytest.raises(PermissionDenied):
            actions.set_active(admin, target, False)
        with pytest.raises(PermissionDenied):
            actions.grant_role(admin, target, Role.VIEWER, tree.commune_a)
    commune_role = RoleAssignment.objects.get(user=lodged, area=tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.revoke_role(admin, commune_role)
    lodged.refresh_from_db()
    root.refresh_from_db()
    assert lodged.is_active and root.is_active
    assert RoleAssignment.objects.filter(pk=commune_role.pk).exists()


def test_the_console_hides_and_refuses_accounts_outside_what_one_may_grant(
    people, client
):
    admin = people["admin"]
    client.force_login(admin)
    page = client.get("/console/users/").content.decode()
    assert "clerk" in page
    assert "lodged" not in page and ">root<" not in page
    for name in ("lodged", "root"):
        target = people[name]
        assert client.get(f"/console/users/edit/{target.pk}/").status_code == 404
        response = client.post(
            f"/console/users/edit/{target.pk}/",
            {"username": target.username, "is_active": ""},
        )
        assert response.status_code == 404
        assert client.get(f"/console/users/history/{target.pk}/").status_code == 404
    roles = client.get("/console/roles/").content.decode()
    assert "lodged" not in roles


def test_wagtail_bulk_actions_on_accounts_are_refused(people, client):
    admin, root, clerk = people["admin"], people["root"], people["clerk"]
    client.force_login(admin)
    for target in (root, clerk):
        url = (
            "/console/bulk/accounts/user/set_active_state/"
            f"?next=/console/users/&id={target.pk}"
        )
        client.post(url, {"mark_as_active": "False"})
        target.refresh_from_db()
        assert target.is_active
    url = f"/console/bulk/accounts/user/assign_role/?next=/console/users/&id={clerk.pk}"
    client.post(url, {"role": "1"})
    assert not clerk.groups.filter(name="role:administrator").exists()


def test_a_superuser_still_manages_everyone(people):
    superuser = people["root"]
    actions.set_active(superuser, people["lodged"], False)
    assert AuditEntry.objects.filter(action="account.deactivate").exists()


def test_a_role_is_granted_or_taken_back_never_edited_in_place(people, client, tree):
    """Editing would change a role without the action: no audit, groups unsynced."""
    clerk = people["clerk"]
    role = RoleAssignment.objects.get(user=clerk)
    client.force_login(people["admin"])
    client.post(
        f"/console/roles/edit/{role.pk}/",
        {"user": clerk.pk, "role": "administrator", "area": tree.commune_a.pk},
    )
    role.refresh_from_db()
    assert role.role == "editor" and role.area == tree.hamlet_a1
    assert "/console/roles/edit/" not in client.get("/console/roles/").content.decode()


def test_a_role_is_granted_from_the_console_through_the_action(people, client, tree):
    client.force_login(people["admin"])
    response = client.post(
        "/console/roles/new/",
        {"user": people["clerk"].pk, "role": "viewer", "area": tree.hamlet_a2.pk},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=people["clerk"], role="viewer", area=tree.hamlet_a2
    ).exists()
    assert AuditEntry.objects.filter(action="role.grant", actor=people["admin"])
