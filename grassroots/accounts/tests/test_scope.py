from grassroots.accounts import scope
from grassroots.accounts.models import RoleAssignment, User
from grassroots.accounts.roles import Capability, Role
from grassroots.areas.models import Area
from grassroots.testing import make_user


def test_a_role_reaches_its_area_and_everything_below_and_nothing_else(tree):
    editor = make_user(Role.EDITOR, tree.commune_a)
    assert scope.can(editor, Capability.WRITE_BULLETINS, tree.commune_a)
    assert scope.can(editor, Capability.WRITE_BULLETINS, tree.hamlet_a2)
    assert not scope.can(editor, Capability.WRITE_BULLETINS, tree.province)
    assert not scope.can(editor, Capability.WRITE_BULLETINS, tree.commune_b)
    assert not scope.can(editor, Capability.WRITE_BULLETINS, tree.other_commune)


def test_capabilities_come_from_the_role_not_from_the_area(tree):
    viewer = make_user(Role.VIEWER, tree.province)
    assert scope.can(viewer, Capability.VIEW, tree.hamlet_b1)
    assert not scope.can(viewer, Capability.WRITE_BULLETINS, tree.hamlet_b1)
    assert not scope.can_anywhere(viewer, Capability.BROADCAST_EMERGENCY)


def test_nested_roles_collapse_to_the_widest(tree):
    user = make_user(Role.VIEWER, tree.commune_a)
    RoleAssignment.objects.create(user=user, role=Role.VIEWER, area=tree.province)
    RoleAssignment.objects.create(user=user, role=Role.VIEWER, area=tree.other_commune)
    scope.forget(user)
    assert scope.roots(user, Capability.VIEW) == sorted(
        [tree.province.path, tree.other_commune.path]
    )


def test_scope_filters_querysets_through_any_path_field(tree):
    handler = make_user(Role.FEEDBACK_HANDLER, tree.commune_b)
    areas = scope.scope(
        Area.objects.all(), handler, Capability.HANDLE_FEEDBACK, path_field="path"
    )
    assert set(areas) == {tree.commune_b, tree.hamlet_b1, tree.hamlet_b2}
    users = scope.scope(User.objects.all(), handler, Capability.VIEW)
    assert list(users) == [handler]
    assert list(scope.areas(handler, Capability.WRITE_BULLETINS)) == []


def test_inactive_accounts_anonymous_and_retired_areas_reach_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(Role.ADMINISTRATOR, tree.commune_a)
    assert scope.roots(AnonymousUser()) == []
    Area.objects.filter(pk=tree.commune_a.pk).update(is_active=False)
    scope.forget(user)
    assert scope.roots(user) == []
    user.is_active = False
    assert scope.roots(user) == []


def test_superusers_reach_everywhere(tree):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert scope.roots(root) is None
    assert scope.can(root, Capability.MANAGE_USERS, tree.other_commune)
    assert scope.areas(root).count() == len(tree.areas)
