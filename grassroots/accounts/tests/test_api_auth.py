"""Every staff API enforces what the console enforces: the second factor included."""

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Role
from grassroots.accounts.tests.test_actions import code_for
from grassroots.api import api
from grassroots.testing import PASSWORD, make_user

#: One GET of each staff router.
STAFF_URLS = [
    "/api/v1/loudspeakers/clusters",
    "/api/v1/bulletins/",
    "/api/v1/feedback/",
    "/api/v1/boards/",
    "/api/v1/dissemination/bulletins/",
]

#: Routers open to anyone (public facts); every other operation needs an auth.
# The citizen app's push subscriptions belong to anonymous phones.
PUBLIC_PREFIXES = ("/api/v1/areas/", "/api/v1/public/", "/api/v1/citizen/")
#: The staff session, and the machines' keys (peer systems, the broker's hooks).
ALLOWED = {"StaffSession", "KeyBearer", "KeyHeader", "HookToken"}


def test_every_operation_is_public_or_names_who_may_call_it():
    """A new staff endpoint with Django's bare session would skip the second factor."""
    schema = api.get_openapi_schema()
    assert type(STAFF).__name__ == "StaffSession"
    loose = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {n for option in operation.get("security") or [] for n in option}
            if not names and path.startswith(PUBLIC_PREFIXES):
                continue
            if not names or not names <= ALLOWED:
                loose.append(f"{method} {path}: {names or 'no auth'}")
    assert not loose, "\n".join(loose)


def _login(client, user):
    response = client.post(
        "/console/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", STAFF_URLS)
def test_the_password_alone_does_not_open_the_api_of_someone_with_a_device(
    url, tree, client
):
    user = make_user(Role.ADMINISTRATOR, tree.commune_a)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _login(client, user)
    refused = client.get(url)
    assert refused.status_code == 401, refused.content
    assert refused.json()["code"] == "second_factor_required"
    client.post("/console/2fa/", {"token": code_for(device), "next": "/console/"})
    assert client.get(url).status_code == 200


@override_settings(GRASSROOTS_REQUIRE_2FA=True)
def test_when_required_the_api_waits_for_enrolment_like_the_console(tree, client):
    operator = make_user(Role.OPERATOR, tree.commune_a)
    viewer = make_user(Role.VIEWER, tree.commune_a)
    client.force_login(operator)
    refused = client.get("/api/v1/loudspeakers/clusters")
    assert refused.status_code == 403
    assert refused.json()["code"] == "second_factor_enrolment_required"
    client.force_login(viewer)
    assert client.get("/api/v1/loudspeakers/clusters").status_code == 200


def test_anonymous_callers_get_the_api_error_shape(db, client):
    for url in STAFF_URLS:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthenticated"
