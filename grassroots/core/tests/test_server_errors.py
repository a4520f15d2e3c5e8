"""Each input that once gave a 500 now gets a clear 4xx (issue 15, "Server errors").

The feedback and Open311 ones are in ``feedback/tests/test_hostile_input.py``;
the console lists' filters in ``test_console_filters.py``.
"""

from __future__ import annotations

import pytest

from grassroots.bulletins import actions as bulletin_actions
from grassroots.bulletins.tests.builders import content, make_bulletin, make_people
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.tests.factories import make_station
from grassroots.testing import login_verified, make_user


@pytest.mark.parametrize(
    "query",
    ["since=0001-01-01", "until=0001-01-01", "since=9999-12-31", "until=2201-01-01"],
)
def test_public_bulletins_with_an_impossible_date_is_422(tree, client, query):
    response = client.get(f"/api/v1/public/bulletins?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message"]


@pytest.mark.parametrize(
    "since",
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-07:00"],
)
def test_exchange_updated_since_near_year_1_is_422(tree, client, since):
    admin = make_user("administrator", tree.province)
    peer = bulletin_actions.save_peer(admin, name="Cổng tỉnh", area=tree.province)
    key = bulletin_actions.issue_key(admin, peer)[1]
    response = client.get(
        "/api/v1/bulletins/exchange/",
        {"updated_since": since},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"


def test_the_usage_page_of_every_bulletin_opens(tree, client):
    people = make_people(tree)
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Bản nháp")
    published = make_bulletin(people.editor_a, tree.commune_a, title="Đã đăng")
    bulletin_actions.submit(people.editor_a, published)
    bulletin_actions.approve(people.approver_a, published)
    province = make_bulletin(people.province_editor, tree.province, title="Tỉnh")
    bulletin_actions.update_bulletin(
        people.province_editor, province, content(tree.province, title="Tỉnh 2")
    )
    login_verified(client, make_user("administrator", tree.province))
    for bulletin in (draft, published, province):
        for page in ("usage", "history", "inspect"):
            response = client.get(f"/console/bulletins/{page}/{bulletin.pk}/")
            assert response.status_code == 200, (page, bulletin.title)


def test_a_cluster_whose_station_is_in_another_commune_is_refused_on_the_form(
    tree, client
):
    station_a = make_station(tree.commune_a)
    login_verified(client, make_user("administrator", tree.province))
    response = client.post(
        "/console/loudspeakers/clusters/new/",
        {
            "station": station_a.pk,
            "area": tree.hamlet_b1.pk,
            "code": "LS-MIXED-01",
            "name": "Chợ",
            "link": "4g",
            "speaker_count": 2,
            "speaker_power_w": 30,
        },
    )
    assert response.status_code in (200, 400)
    assert "phải ở trong xã của đài" in response.content.decode()
    assert not Cluster.objects.filter(code="LS-MIXED-01").exists()


def test_an_api_body_with_a_lone_surrogate_or_deep_nesting_is_400(tree, client):
    admin = make_user("administrator", tree.province)
    peer = bulletin_actions.save_peer(admin, name="Cổng tỉnh", area=tree.province)
    key = bulletin_actions.issue_key(admin, peer)[1]
    for body in (
        '{"title": "Th\\ud800ng b\\u00e1o", "category": "thien-tai"}',
        '{"title": ' + "[" * 5000 + "]" * 5000 + "}",
    ):
        response = client.put(
            "/api/v1/bulletins/exchange/x1",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize(
    "url",
    [
        "/console/loudspeakers/map/live.json?ids=99999999999999999999,1",
        "/console/loudspeakers/map/live.json?ids=%C2%B2&commune=%C2%B2",
        "/console/loudspeakers/map/live.json?commune=99999999999999999999",
        "/console/loudspeakers/map/?commune=%C2%B2",
        "/console/speech-voice/?province=%C2%B2",
        "/console/speech-voice/?province=99999999999999999999",
    ],
)
def test_ids_that_are_not_row_ids_are_ignored(tree, client, url):
    """``"²".isdigit()`` is True and a 20-digit id overflows SQLite: both were 500s."""
    root = make_user("administrator", tree.province)
    root.is_superuser = True
    root.save()
    login_verified(client, root)
    assert client.get(url).status_code in (200, 404)
