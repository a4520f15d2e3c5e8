"""The dashboard and exports through the real console views."""

import datetime

import pytest

from grassroots.testing import make_user

D = datetime.date
PERIOD = {"from": "01/01/2025", "to": "31/12/2025"}


@pytest.fixture
def province_viewer(tree):
    return make_user("viewer", tree.province)


def test_dashboard_shows_each_indicator_with_its_value_and_target(
    client, tree, roster, province_viewer
):
    client.force_login(province_viewer)
    response = client.get("/console/indicators/", PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "60,0%" in body  # 3 of 5 officials trained in the province
    assert "3 / 5" in body
    assert tree.commune_a.name in body and tree.commune_b.name in body
    assert tree.other_commune.name not in body
