"""Every console page of one object loads it through the scope rule (404 outside)."""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.admin.views.generic import DeleteView, EditView, InspectView
from wagtail.admin.views.generic.base import BaseObjectMixin

from grassroots.accounts.permissions import ScopedObjectMixin
from grassroots.bulletins.console.policies import ScopedObjectViewMixin
from grassroots.bulletins.tests.builders import make_bulletin, make_people
from grassroots.testing import make_user

OBJECT_PAGES = ("inspect", "history", "usage", "edit", "delete")


def _console_views():
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns, ""):
        view_class = getattr(pattern.callback, "view_class", None)
        if route.startswith("console/") and view_class is not None:
            initkwargs = getattr(pattern.callback, "view_initkwargs", {})
            model = initkwargs.get("model") or getattr(view_class, "model", None)
            if isinstance(model, str):
                model = apps.get_model(model)
            yield route, view_class, model


def test_every_object_page_of_our_models_loads_through_the_scope():
    """Wagtail's object views load by pk alone; each of ours must be narrowed."""
    loose = []
    for route, view_class, model in _console_views():
        if model is None or not model.__module__.startswith("grassroots."):
            continue
        if not issubclass(
            view_class, (BaseObjectMixin, InspectView, EditView, DeleteView)
        ):
            continue
        if not issubclass(view_class, (ScopedObjectMixin, ScopedObjectViewMixin)):
            loose.append(f"{route}: {view_class.__module__}.{view_class.__name__}")
    assert not loose, "\n".join(sorted(loose))


@pytest.mark.parametrize("role", ["viewer", "editor", "approver", "operator"])
def test_another_communes_draft_is_invisible_on_every_page_of_it(role, tree, client):
    people = make_people(tree)
    draft = make_bulletin(people.editor_b, tree.commune_b, title="Bản nháp xã bên")
    client.force_login(make_user(role, tree.commune_a))
    for page in OBJECT_PAGES:
        response = client.get(f"/console/bulletins/{page}/{draft.pk}/")
        assert response.status_code in (302, 403, 404), (page, response.status_code)
        assert "Bản nháp xã bên" not in response.content.decode(), page
    client.force_login(make_user(role, tree.commune_b))
    page = client.get(f"/console/bulletins/inspect/{draft.pk}/")
    assert page.status_code == 200 and "Bản nháp xã bên" in page.content.decode()


def test_history_of_an_object_elsewhere_does_not_name_its_staff(tree, client):
    from grassroots.broadcasts.tests.builders import make_item

    item = make_item(tree.commune_b, title="Chương trình xã bên")
    client.force_login(make_user("operator", tree.commune_a))
    for page in ("history", "usage"):
        response = client.get(f"/console/broadcasts/items/{page}/{item.pk}/")
        assert response.status_code in (302, 403, 404), page


def test_a_history_page_still_lists_every_entry_of_its_own_object(tree, client):
    """Scoping the object must not filter the page's rows (log entries) too."""
    import re

    from wagtail.models import ModelLogEntry

    from grassroots.bulletins import actions as bulletins
    from grassroots.bulletins.tests.builders import content

    people = make_people(tree)
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Bản nháp")
    for n in range(3):
        bulletins.update_bulletin(
            people.editor_a, draft, content(tree.commune_a, title=f"Bản nháp {n}")
        )
    entries = ModelLogEntry.objects.filter(object_id=str(draft.pk)).count()
    assert entries >= 4
    client.force_login(people.editor_a)
    page = client.get(f"/console/bulletins/history/{draft.pk}/").content.decode()
    listing = page[page.index('<table class="listing">') :]
    body = listing[listing.index("<tbody>") : listing.index("</tbody>")]
    assert len(re.findall(r"<tr[ >]", body)) == entries


def test_wagtails_site_history_is_for_superusers_only(tree, client):
    """It lists every model's changes by model permission, not by area."""
    people = make_people(tree)
    make_bulletin(people.editor_b, tree.commune_b, title="Bản nháp xã bên")
    for role in ("editor", "administrator"):
        client.force_login(make_user(role, tree.commune_a))
        for url in (
            "/console/reports/site-history/",
            "/console/reports/site-history/results/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 403), (role, url)
            assert "Bản nháp xã bên" not in response.content.decode()
        home = client.get("/console/").content.decode()
        assert "/console/reports/site-history/" not in home
    root = make_user(None, tree.province)
    root.is_superuser = True
    root.save()
    client.force_login(root)
    page = client.get("/console/reports/site-history/")
    assert page.status_code == 200 and "Bản nháp xã bên" in page.content.decode()
