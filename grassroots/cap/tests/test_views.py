"""The console: the operator sees the warning on its map and decides, in Vietnamese."""

from __future__ import annotations

import json
import re

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.cap import actions
from grassroots.cap.models import Outcome, Policy
from grassroots.emergencies.models import Emergency
from grassroots.testing import make_user

from . import samples
from .conftest import make_source
from .test_receive import code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(dong_thap, client):
    user = make_user("operator", dong_thap.province, username="op_console")
    user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session  # signed in with the code already
    session[DEVICE_ID_SESSION_KEY] = user.device.persistent_id
    session.save()
    return user


def _map(response) -> dict:
    match = re.search(
        r'<script id="cap-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match is not None, response.content
    return json.loads(match.group(1))


def test_the_operator_sees_the_polygon_and_the_mapped_hamlets_before_deciding(
    client, operator, source, dong_thap
):
    alert = actions.receive(source, samples.flood())
    index = client.get("/console/cap/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "Chờ quyết định" in body  # Vietnamese first
    assert "Báo động lũ cấp III trên sông Tiền" in body
    page = client.get(f"/console/cap/{alert.pk}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "core/vendor/leaflet/leaflet.js" in content
    assert "Phường Cao Lãnh" in content and "Ấp 1" in content
    data = _map(page)
    assert data["polygons"][0][0] == [10.87, 105.2]
    names = {p["name"] for p in data["points"]}
    assert {"Khóm 1", "Khóm 2", "Ấp 1"} <= names and "Ấp 2" not in names
    assert "Xác nhận và phát" in content


def test_confirming_in_the_console_airs_it(
    client, operator, source, outbox, django_capture_on_commit_callbacks
):
    alert = actions.receive(source, samples.storm())
    wrong = client.post(f"/console/cap/{alert.pk}/confirm/", {"otp": "000000"})
    assert wrong.status_code == 302
    assert not Emergency.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/console/cap/{alert.pk}/confirm/", {"otp": code_for(operator.device)}
        )
    alert.refresh_from_db()
    assert alert.outcome == Outcome.AIRED
    assert Emergency.objects.get().bulletin == alert.bulletin


def test_a_warning_of_another_province_is_not_found(client, dong_thap, operator):
    other = make_source(dong_thap.tay_ninh, name="KTTV Tây Ninh")
    alert = actions.receive(
        other, samples.alert("TN1", areas=samples.area("x", geocodes=("27500",)))
    )
    assert alert.outcome == Outcome.WAITING
    assert client.get(f"/console/cap/{alert.pk}/").status_code == 404
    assert (
        client.post(f"/console/cap/{alert.pk}/confirm/", {"otp": "1"}).status_code
        == 404
    )


def test_a_refused_hostile_message_shows_its_reason(client, operator, source):
    alert = actions.receive(source, samples.BILLION_LAUGHS)
    page = client.get(f"/console/cap/{alert.pk}/")
    assert page.status_code == 200
    assert "forbidden_xml" in page.content.decode()


def test_the_province_sets_a_sources_policies(client, dong_thap, source):
    admin = make_user("administrator", dong_thap.province, username="adm_dt")
    client.force_login(admin)
    response = client.post(
        f"/console/cap/sources/{source.peer_id}/",
        {
            "poll_minutes": 2,
            "category": source.category_id,
            "default_policy": Policy.PRIORITY,
            "policies": "Lũ = emergency_auto\nBão = emergency_draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    assert source.policy_for("lũ") == Policy.EMERGENCY_AUTO
    assert source.policy_for("Sạt lở") == Policy.PRIORITY
    bad = client.post(
        f"/console/cap/sources/{source.peer_id}/",
        {
            "poll_minutes": 1,
            "category": source.category_id,
            "default_policy": Policy.PRIORITY,
            "policies": "Lũ: tự động",
        },
    )
    assert bad.status_code == 200 and "Dòng 1" in bad.content.decode()


def test_a_commune_administrator_cannot_set_automatic_airing(client, dong_thap, source):
    admin = make_user("administrator", dong_thap.cao_lanh, username="adm_cl")
    client.force_login(admin)
    response = client.get(f"/console/cap/sources/{source.peer_id}/")
    assert response.status_code == 404
