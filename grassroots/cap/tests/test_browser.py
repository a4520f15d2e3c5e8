"""The operator's screen: a new warning appears by itself, its areas on the map."""

from __future__ import annotations

import os

import pytest

from grassroots.cap import actions
from grassroots.testing import PASSWORD, make_user

from . import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_flood_warning_appears_on_the_panel_and_shows_its_polygon_and_hamlets(
    browser, live_server, dong_thap, source, artifacts_dir, settings
):
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    operator = make_user("operator", dong_thap.province, username="op_map")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/cap/")
    assert page.locator("text=Báo động lũ cấp III").count() == 0

    # It arrives while the page is open: the waiting panel shows it by itself.
    actions.receive(source, samples.flood())
    page.wait_for_selector(
        "[data-testid=waiting] >> text=Báo động lũ cấp III trên sông Tiền",
        timeout=5000,
    )
    page.click("[data-testid=waiting] >> text=Báo động lũ cấp III trên sông Tiền")
    page.wait_for_selector("#cap-map .leaflet-interactive")
    # The source's polygon and a marker per mapped commune's hamlet (Khóm 1,
    # Khóm 2) and Ấp 1: four shapes drawn.
    assert page.locator("#cap-map path.leaflet-interactive").count() == 4
    assert "Phường Cao Lãnh" in page.inner_text("[data-testid=areas]")
    assert "Xác nhận và phát" in page.inner_text("[data-testid=confirm]")
    page.screenshot(
        path=os.path.join(artifacts_dir, "cap-flood-map.png"), full_page=True
    )
