"""An operator on a phone-sized and a desktop browser: list, map, a cluster, a confirmed command."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.roles import Role
from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import Command
from grassroots.testing import PASSWORD, make_user

from .factories import make_cluster, state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_sees_the_fleet_live_and_sends_a_confirmed_command(
    browser, live_server, tree, artifacts_dir, settings
):
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    tree.hamlet_a1.latitude, tree.hamlet_a1.longitude = 10.45, 105.63
    tree.hamlet_a1.save()
    online = make_cluster(tree.hamlet_a1, code="82-H1-1")
    make_cluster(tree.hamlet_a2, code="82-H2-1", latitude=10.46, longitude=105.64)
    reports.record_reports(
        [(online.pk, state(online.code, volume=60), timezone.now())], []
    )
    operator = make_user(Role.OPERATOR, tree.commune_a, username="phatthanh")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/loudspeakers/clusters/")
    assert page.locator("text=82-H1-1").count() and page.locator("text=82-H2-1").count()
    page.screenshot(
        path=os.path.join(artifacts_dir, "loudspeakers-list.png"), full_page=True
    )

    page.goto(
        f"{live_server.url}/console/loudspeakers/map/?commune={tree.commune_a.pk}"
    )
    page.wait_for_selector("path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == 2
    assert page.locator("[data-count=online]").inner_text() == "1"
    page.screenshot(
        path=os.path.join(artifacts_dir, "loudspeakers-map.png"), full_page=True
    )

    # A province's counts are grouped as Vietnamese writes them.
    def province_sized(route):
        answer = route.fetch()
        data = answer.json()
        data["summary"]["online"] = 12345
        route.fulfill(response=answer, json=data)

    page.route(f"**{reverse('loudspeakers_map:live')}*", province_sized)
    page.reload()
    page.wait_for_function(
        "document.querySelector('[data-count=online]').textContent === '12.345'"
    )
    page.unroute_all()

    page.goto(f"{live_server.url}/console/loudspeakers/clusters/inspect/{online.pk}/")
    page.click("a[href$='/command/volume/']")
    page.fill("input[name=level]", "40")
    page.click(".gr-confirm button[type=submit]")
    page.wait_for_url(f"**/inspect/{online.pk}/")
    assert Command.objects.get().args == {"level": 40}

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/console/loudspeakers/clusters/inspect/{online.pk}/")
    phone.screenshot(
        path=os.path.join(artifacts_dir, "loudspeakers-detail-phone.png"),
        full_page=True,
    )
