"""Schemathesis over the whole OpenAPI document, inside the suite.

Every operation gets a few generated requests (valid and invalid), once
anonymously and once as a commune administrator with a verified second
factor: no answer may be a server error, and every documented answer must
match its documented schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from grassroots.testing import login_verified, make_tree, make_user

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, response_schema_conformance]
FEW = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the WSGI handler, which closes connections at the end of
    each; the test's transaction must survive them (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_cookie(db):
    """A session cookie of a commune administrator who gave their second factor."""
    tree = make_tree()
    client = Client()
    login_verified(client, make_user("administrator", tree.commune_a))
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@FEW
def test_anonymous_requests_never_get_a_server_error(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FEW
def test_a_verified_staff_member_never_gets_a_server_error(case, staff_cookie):
    case.call_and_validate(checks=CHECKS, cookies=staff_cookie)
