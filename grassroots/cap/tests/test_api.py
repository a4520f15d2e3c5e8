"""Pushing CAP alerts: the peer's key, JSON answers with a code, never a 500."""

from __future__ import annotations

import pytest

from grassroots.bulletins import actions as bulletins
from grassroots.cap.models import Outcome, ReceivedAlert

from . import samples

pytestmark = pytest.mark.django_db

URL = "/api/v1/cap/alerts"


@pytest.fixture
def key(source):
    _key, secret = bulletins.issue_key(None, source.peer)
    return secret


def push(client, body, secret=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return client.post(URL, data=body, content_type="application/cap+xml", **headers)


def test_an_accepted_alert_answers_201_with_its_outcome(client, key):
    response = push(client, samples.storm(), key)
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == Outcome.WAITING
    assert ReceivedAlert.objects.get().via == "push"


def test_a_duplicate_answers_409(client, key):
    push(client, samples.storm(), key)
    response = push(client, samples.storm(), key)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


@pytest.mark.parametrize(
    "body", [samples.BILLION_LAUGHS, samples.XXE, b"\x00\xff<<", b"<alert/>"]
)
def test_hostile_xml_answers_422_json_never_500(client, key, body):
    response = push(client, body, key)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] in ("forbidden_xml", "not_xml", "not_cap", "invalid")
    assert data["message"]
    assert ReceivedAlert.objects.get().outcome == Outcome.REFUSED


def test_a_message_over_the_size_limit_answers_413(client, key):
    response = push(client, b"<x>" + b"A" * (600 * 1024) + b"</x>", key)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_no_key_or_a_revoked_key_is_refused(client, source, key):
    assert push(client, samples.storm()).status_code == 401
    assert push(client, samples.storm(), "grk_00000000_nope").status_code == 401
    for api_key in source.peer.keys.all():
        bulletins.revoke_key(None, api_key)
    assert push(client, samples.storm(), key).status_code == 401
    assert not ReceivedAlert.objects.exists()


def test_a_peer_that_is_no_cap_source_is_refused(client, dong_thap):
    peer = bulletins.save_peer(None, name="Hệ thống khác", area=dong_thap.province)
    _key, secret = bulletins.issue_key(None, peer)
    response = push(client, samples.storm(), secret)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_cap_source"
