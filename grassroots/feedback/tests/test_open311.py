"""Open311 GeoReport v2: the spec's resources in JSON and XML, and bad input refused."""

import defusedxml.ElementTree as ET
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .. import actions
from ..models import Channel, Feedback
from .builders import DESCRIPTION, png_bytes, submit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def api_key(place, province_handler):
    _client, key = actions.create_api_client(province_handler, name="App", per_minute=5)
    return key


def post(client, key, fmt="json", **fields):
    data = {
        "api_key": key,
        "service_code": "duong-sa",
        "description": DESCRIPTION,
        "lat": "10.411",
        "long": "105.611",
        **fields,
    }
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_discovery_lists_the_endpoint(client, place):
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format") is not None


def test_services_in_json_and_xml(client, place):
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"duong-sa", "moi-truong", "an-ninh-trat-tu", "dat-dai"} <= codes
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)


def test_service_definition_and_unknown_code(client, place):
    assert client.get(f"{BASE}/services/duong-sa.json").json() == {
        "service_code": "duong-sa",
        "attributes": [],
    }
    missing = client.get(f"{BASE}/services/khong-co.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


def test_wrong_jurisdiction_is_404(client, place):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "99"})
    assert response.status_code == 404
    assert (
        client.get(
            f"{BASE}/services.json", {"jurisdiction_id": place.province.code}
        ).status_code
        == 200
    )


def test_create_routes_to_the_commune(client, place, api_key):
    response = post(
        client, api_key, first_name="An", last_name="Nguyễn", email="an@example.org"
    )
    assert response.status_code == 201
    body = response.json()[0]
    item = Feedback.objects.get(code=body["service_request_id"])
    assert body["token"] == item.code
    assert item.channel == Channel.OPEN311
    assert item.area == place.commune_a
    assert item.citizen_name == "Nguyễn An"
    assert item.api_client is not None


def test_create_in_xml_with_a_photo(client, place, api_key):
    photo = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    response = post(client, api_key, fmt="xml", media=photo)
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    code = root.find("request/service_request_id").text
    assert Feedback.objects.get(code=code).attachments.count() == 1


def test_create_needs_a_valid_api_key(client, place):
    response = post(client, "wrong")
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]


def test_unknown_service_code_is_refused_clearly(client, place, api_key):
    response = post(client, api_key, service_code="khong-co")
    assert response.status_code == 400
    error = response.json()[0]
    assert error["reason"] == "unknown_service"
    assert "khong-co" in error["description"]
    xml = post(client, api_key, fmt="xml", service_code="khong-co")
    assert ET.fromstring(xml.content).find("error/code").text == "400"


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "<img src=x onerror=alert(1)> đường hư"},
        {"lat": "north"},
        {"lat": "95", "long": "105"},
        {"lat": "10.4", "long": ""},
        {"email": "not-an-email"},
        {"phone": "12345"},
        {"address_id": "99/xx"},
        {"media_url": "javascript:alert(1)"},
    ],
)
def test_bad_input_is_400_and_stores_nothing(client, place, api_key, fields):
    response = post(client, api_key, **fields)
    assert response.status_code == 400, response.content
    assert response.json()[0]["description"]
    assert not Feedback.objects.exists()


def test_malformed_json_body(client, place, api_key):
    response = client.post(
        f"{BASE}/requests.json", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()[0]["reason"] == "malformed_json"


def test_flood_from_one_client_is_429(client, place, api_key):
    statuses = [
        post(client, api_key, description=f"{DESCRIPTION} số {n}").status_code
        for n in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    assert Feedback.objects.count() == 5


def test_get_requests_hides_personal_data_from_others(client, place, api_key):
    code = post(client, api_key, email="an@example.org").json()[0]["service_request_id"]
    public = client.get(f"{BASE}/requests.json").json()
    # Named by its public id: the tracking code is the sender's alone.
    assert [r["service_request_id"] for r in public] == [
        Feedback.objects.get(code=code).public_id
    ]
    assert public[0]["description"] == ""
    assert "an@example.org" not in client.get(f"{BASE}/requests.json").content.decode()
    own = client.get(f"{BASE}/requests.json", {"api_key": api_key}).json()
    assert own[0]["description"] == DESCRIPTION
    one = client.get(f"{BASE}/requests/{code}.json").json()[0]
    assert one["status"] == "open" and one["description"] == DESCRIPTION


def test_get_requests_filters(client, place, handler_a):
    open_item = submit(place)
    done = actions.answer(
        handler_a,
        submit(place, description="Đèn đường hỏng cả tuần nay rồi"),
        "Đã thay bóng đèn.",
    )
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [done.public_id]
    assert closed[0]["status_notes"] == "Đã thay bóng đèn."
    both = client.get(
        f"{BASE}/requests.json", {"service_request_id": f"{open_item.code},{done.code}"}
    ).json()
    assert len(both) == 2
    by_public_id = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{open_item.public_id},{done.public_id}"},
    ).json()
    assert len(by_public_id) == 2
    bad = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400
    span = client.get(
        f"{BASE}/requests.json",
        {
            "start_date": "2025-01-01T00:00:00+07:00",
            "end_date": "2025-06-01T00:00:00+07:00",
        },
    )
    assert span.status_code == 400


def test_tokens_and_unknown_ids(client, place):
    item = submit(place)
    assert client.get(f"{BASE}/tokens/{item.code}.json").json() == [
        {"service_request_id": item.code, "token": item.code}
    ]
    assert client.get(f"{BASE}/requests/NOPE.json").status_code == 404
    assert client.get(f"{BASE}/tokens/NOPE.xml").status_code == 404
