"""Every console view that creates, edits or deletes goes through an action.

Wagtail's default add, edit and delete views save with a bare ``save()`` or
``delete()``: no action, no audit, no refusal on the form. A registered
viewset (ours, Wagtail's own users, groups and sites, and the snippets) may
keep one only where nobody may use it at all, a superuser included.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from grassroots.accounts.roles import Role
from grassroots.testing import make_user

#: Methods through which our views reach an action.
HOOKS = {
    "add": ("save_instance", "run_action", "form_valid"),
    "edit": ("save_instance", "run_action", "form_valid"),
    "delete": ("delete_action", "delete_function", "form_valid", "post"),
}
ACTION_OF = {"add": "add", "edit": "change", "delete": "delete"}


def _through_an_action(view_class, kind: str, model=None) -> bool:
    """Return True if the view saves through one of our actions.

    Either a class of ours overrides how it saves, or Wagtail's view calls the
    action registered for the model (``register_actions``), and it is ours.
    """
    if model is not None:
        from wagtail.actions.registry import action_registry as registry

        name = {"add": "create", "edit": "edit", "delete": "delete"}[kind]
        action = registry.get_action_class(model, name)
        if action is not None and action.__module__.startswith("grassroots."):
            return True
    return any(
        klass.__module__.startswith("grassroots.")
        and any(name in vars(klass) for name in HOOKS[kind])
        for klass in view_class.__mro__
    )


def _model_viewsets() -> list[ModelViewSet]:
    # Loading the URLconf registers the viewsets, once. Calling
    # ``viewsets.populate()`` again would register every menu item a second
    # time for the rest of this process (a later browser test then met two
    # "Nhật ký hệ thống" links in the settings menu).
    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    return [v for v in viewsets.viewsets if isinstance(v, ModelViewSet)]


def test_no_role_reaches_a_default_add_edit_or_delete_view(tree):
    staff = [make_user(role, tree.province) for role in Role.values]
    root = make_user(username="root")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    staff.append(root)
    kept = []
    for viewset in _model_viewsets():
        urls = {p.name for p in viewset.get_urlpatterns()}
        for kind, attribute in (
            ("add", "add_view_class"),
            ("edit", "edit_view_class"),
            ("delete", "delete_view_class"),
        ):
            if kind not in urls:
                continue
            view_class = getattr(viewset, attribute)
            if _through_an_action(view_class, kind, viewset.model):
                continue
            policy = viewset.permission_policy
            allowed = [
                u.username
                for u in staff
                if policy.user_has_permission(u, ACTION_OF[kind])
            ]
            if allowed:
                kept.append(
                    f"{viewset.name}: {kind} ({view_class.__module__}."
                    f"{view_class.__name__}) open to {len(allowed)} role(s)"
                )
    assert not kept, "Default Wagtail views outside any action:\n" + "\n".join(kept)


@pytest.mark.parametrize("kind", ["add", "edit", "delete"])
def test_the_check_sees_wagtails_own_views(kind):
    """The rule above would pass vacuously if it mistook Wagtail's views for ours."""
    from wagtail.admin.views import generic

    default = {
        "add": generic.CreateView,
        "edit": generic.EditView,
        "delete": generic.DeleteView,
    }[kind]
    assert not _through_an_action(default, kind)
    from grassroots.areas.models import Area

    assert not _through_an_action(default, kind, Area)


def test_the_users_and_the_snippets_are_checked_too():
    """Wagtail's user views and the snippets are in the list the rule walks."""
    from django.contrib.auth import get_user_model
    from wagtail.snippets.views.snippets import SnippetViewSet

    found = _model_viewsets()
    assert any(v.model is get_user_model() for v in found)
    assert any(isinstance(v, SnippetViewSet) for v in found)


@pytest.fixture
def root(tree):
    user = make_user(username="root")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def test_a_hamlet_is_deleted_through_the_action_or_retired_when_used(
    tree, client, root
):
    from grassroots.accounts.models import AuditEntry
    from grassroots.areas.models import Area
    from grassroots.testing import make_area

    unused = make_area(tree.commune_a, name="Ấp Tạm")
    make_user("viewer", tree.hamlet_a2)  # an account works there: it is used
    client.force_login(root)
    assert client.post(f"/console/areas/delete/{unused.pk}/").status_code == 302
    assert not Area.objects.filter(pk=unused.pk).exists()
    assert AuditEntry.objects.filter(action="areas.delete", actor=root).exists()
    page = client.post(f"/console/areas/delete/{tree.hamlet_a2.pk}/", follow=True)
    assert "ngừng sử dụng thay vì xóa" in page.content.decode()
    tree.hamlet_a2.refresh_from_db()
    assert not tree.hamlet_a2.is_active
    assert AuditEntry.objects.filter(action="areas.deactivate", actor=root).exists()


def test_a_feedback_category_in_use_is_closed_not_deleted(tree, client, root):
    from grassroots.accounts.models import AuditEntry
    from grassroots.feedback.models import Category

    used = Category.objects.create(code="X1", name="Đường sá", deadline_days=10)
    spare = Category.objects.create(code="X2", name="Thử", deadline_days=10)
    from grassroots.feedback.tests.builders import submit

    item = submit(tree, category=used)
    assert item.category == used
    client.force_login(root)
    client.post(f"/console/feedback-categories/delete/{spare.pk}/")
    assert not Category.objects.filter(pk=spare.pk).exists()
    assert AuditEntry.objects.filter(action="feedback.category_delete").exists()
    client.post(f"/console/feedback-categories/delete/{used.pk}/")
    used.refresh_from_db()
    assert not used.is_active


@pytest.mark.parametrize(
    "url", ["/console/account/", "/console/password_reset/confirm/MQ/set-password/"]
)
def test_ones_own_account_is_saved_through_an_action(url):
    """The account page and the e-mailed password link are ours, not Wagtail's.

    Wagtail's save each form with ``form.save()``; ours hand the cleaned
    values to ``accounts.actions`` (tests in accounts/tests/test_own_account.py).
    """
    from django.urls import resolve

    view_class = resolve(url).func.view_class
    assert any(
        klass.__module__.startswith("grassroots.")
        and ("post" in vars(klass) or "form_valid" in vars(klass))
        for klass in view_class.__mro__
    ), f"{url} saves with {view_class.__module__}.{view_class.__name__}"


def test_every_field_of_the_account_page_is_one_the_action_takes(rf, root):
    """A panel or field Wagtail adds must be taken by the action, not saved around it."""
    from wagtail.admin.views.account import ChangePasswordPanel

    from grassroots.accounts.actions import OWN_FIELDS, OWN_PREFERENCES
    from grassroots.accounts.own_account import OwnAccountView

    request = rf.get("/console/account/")
    request.user = root
    view = OwnAccountView()
    view.setup(request)
    fields = {
        name
        for panel in view.get_panels()
        if not isinstance(panel, ChangePasswordPanel)
        for name in panel.get_form().fields
    }
    assert "first_name" in fields and "preferred_language" in fields
    assert fields - set(OWN_FIELDS + OWN_PREFERENCES) == set()
