"""Every console URL of one object, for every model the scope harness can build.

The objects come from the apps' ``tests/scope_endpoints.py`` builders: each is
made in commune B (or one of its hamlets), then every console route taking
one object id whose view serves that object's model (inspect, history,
usage, edit, delete, download and the apps' own pages) is fetched as
commune A's administrator, who must never reach it, and as commune B's, who
must reach at least one of them (so the route really names the object).
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.areas.models import Level
from grassroots.testing import login_verified, make_user
from grassroots.testing.scope import collect

ENDPOINTS = collect()
_ARG = re.compile(r"<(?:\w+:)?\w+>")


def object_routes() -> dict[type, list[str]]:
    """Return console routes with exactly one argument, by the model they serve."""

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    found: dict[type, list[str]] = {}
    for route, pattern in walk(get_resolver().url_patterns, ""):
        if not route.startswith("console/") or len(_ARG.findall(route)) != 1:
            continue
        if "^" in route or "$" in route:
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None:
            continue
        initkwargs = getattr(pattern.callback, "view_initkwargs", {})
        model = initkwargs.get("model") or getattr(view_class, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        if model is None or not model.__module__.startswith("grassroots."):
            continue
        found.setdefault(model, []).append(route)
    return found


#: Function views of one object, which name no model: the model by route prefix.
FUNCTION_ROUTES = {
    "console/indicators/export/<int:pk>/": "indicators.Export",
    "console/emergencies/drills/<int:pk>/": "emergencies.DrillPlan",
    "console/emergencies/<int:pk>/": "emergencies.Emergency",
    "console/dissemination/<int:pk>/": "bulletins.Bulletin",
    "console/broadcasts/items/<int:pk>/": "broadcasts.ProgrammeItem",
    "console/broadcasts/schedules/<int:pk>/": "broadcasts.ProgrammeSchedule",
    "console/live/<int:pk>/": "live.LiveSession",
    "console/users/reset-2fa/<int:pk>/": "accounts.User",
    "console/loudspeakers/clusters/<int:pk>/": "loudspeakers.Cluster",
    "console/feedback/<int:pk>/": "feedback.Feedback",
    "console/boards/emergencies/<int:pk>/": "boards.Takeover",
    "console/boards/<int:pk>/": "boards.Board",
    "console/training/sessions/<int:pk>/": "training.TrainingSession",
}


def function_routes() -> dict[type, list[str]]:
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    found: dict[type, list[str]] = {}
    for route, pattern in walk(get_resolver().url_patterns, ""):
        if getattr(pattern.callback, "view_class", None) is not None:
            continue
        if len(_ARG.findall(route)) != 1:
            continue
        for prefix, label in FUNCTION_ROUTES.items():
            if route.startswith(prefix):
                found.setdefault(apps.get_model(label), []).append(route)
                break
    return found


ROUTES = object_routes()
for _model, _routes in function_routes().items():
    ROUTES.setdefault(_model, []).extend(_routes)


def _place(tree, endpoint):
    if Level.COMMUNE in endpoint.levels:
        return tree.commune_b
    if Level.HAMLET in endpoint.levels:
        return tree.hamlet_b1
    return None


BUILDABLE = [e for e in ENDPOINTS if not e.json]
#: Models whose generic Wagtail pages refuse everybody (no model permission to
#: change them is given to any role): an inbox item opens through its bulletin.
CLOSED_TO_ALL = {"InboxItem"}


@pytest.mark.parametrize("endpoint", BUILDABLE, ids=[e.name for e in BUILDABLE])
def test_another_communes_object_is_unreachable_on_every_page_of_it(
    endpoint, tree, client
):
    area = _place(tree, endpoint)
    if area is None:
        pytest.skip("objects of this list live only in provinces")
    marker = f"zqobj{endpoint.name.replace(' ', '')[:8]}x".lower()
    obj = endpoint.make(area, marker)
    routes = ROUTES.get(type(obj), [])
    if not routes:
        pytest.skip(f"{type(obj).__name__} has no console page of its own")
    outsider = make_user("administrator", tree.commune_a)
    # Someone who may see everything, to prove each route really names the object.
    insider = make_user("administrator", tree.province)
    insider.is_superuser = True
    insider.save()
    reached_by_insider = []
    for route in routes:
        url = "/" + _ARG.sub(str(obj.pk), route)
        login_verified(client, outsider)
        response = client.get(url)
        assert response.status_code in (302, 403, 404, 405), (
            f"{url}: {response.status_code} for commune A's administrator"
        )
        if response.status_code != 405:
            assert marker not in response.content.decode(), url
        login_verified(client, insider)
        if client.get(url).status_code == 200:
            reached_by_insider.append(url)
    if type(obj).__name__ not in CLOSED_TO_ALL:
        assert reached_by_insider, f"no page of {type(obj).__name__} opens at all"


def test_the_routes_were_found():
    """Guard against a harness that silently checks nothing."""
    assert len(ROUTES) >= 10
    assert sum(len(r) for r in ROUTES.values()) >= 40
