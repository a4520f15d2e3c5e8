"""Every role on every area, through every staff list of every app (real HTTP)."""

import itertools

import pytest

from grassroots.accounts import scope
from grassroots.accounts.roles import ROLE_CAPABILITIES, Role
from grassroots.testing import make_user
from grassroots.testing.scope import collect

ENDPOINTS = collect()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_role_on_each_area_sees_exactly_its_scope(endpoint, tree, client):
    prefix = "zq" + endpoint.name.replace(" ", "")[:6]
    markers = {}
    for index, area in enumerate(tree.areas):
        if area.level in endpoint.levels:
            marker = f"{prefix}{index:02d}x{area.code}".lower()
            endpoint.make(area, marker)
            markers[marker] = area
    assert markers, "the tree has no area where this endpoint's objects live"
    url = endpoint.url.format(marker_prefix=prefix)
    for role, area in itertools.product(Role.values, tree.areas):
        user = make_user(role, area)
        client.force_login(user)
        response = client.get(url, **endpoint.headers)
        may = endpoint.capability in ROLE_CAPABILITIES[role]
        context = f"{role} on {area.path} at {url}"
        if not may:
            assert response.status_code in endpoint.refused or not any(
                m in response.content.decode() for m in markers
            ), context
            continue
        assert response.status_code == 200, f"{context}: {response.status_code}"
        body = response.content.decode()
        for marker, owner in markers.items():
            expected = scope.can(user, endpoint.capability, owner)
            assert (marker in body) == expected, (
                f"{context}: {marker} in {owner.path} shown={marker in body}"
            )
        client.logout()
