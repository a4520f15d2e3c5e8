"""The dashboard in a real browser: cards, chart, map, export with progress."""

import io
import os

import pytest
from pypdf import PdfReader

from grassroots.areas.models import Area
from grassroots.testing import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")


def test_a_province_viewer_reads_the_dashboard_and_exports_a_report(
    browser, live_server, tree, roster, artifacts_dir
):
    Area.objects.filter(pk=tree.commune_a.pk).update(latitude=10.46, longitude=105.63)
    Area.objects.filter(pk=tree.commune_b.pk).update(latitude=10.35, longitude=106.36)
    make_user("viewer", tree.province, username="tinh.xem")
    context = browser.new_context(
        viewport={"width": 1280, "height": 1600}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, "tinh.xem")
    page.goto(f"{live_server.url}/console/indicators/?from=01/01/2025&to=31/12/2025")
    card = page.locator("#card-officials_trained")
    assert "60,0%" in card.inner_text()
    assert "Chưa đạt" in card.inner_text()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-trend]'))"
    )
    markers = page.locator("#gr-map .leaflet-interactive")
    assert markers.count() == 2
    assert page.locator("#gr-map-note").is_visible()  # no tile server configured
    page.screenshot(path=os.path.join(artifacts_dir, "dashboard-province.png"))

    page.click("text=Xã An Bình")
    assert "33,3%" in page.locator("#card-officials_trained").inner_text()
    hamlets = page.locator(".gr-units tbody th")
    assert hamlets.count() == 2
    assert all("Ấp" in name for name in hamlets.all_inner_texts())

    page.goto(f"{live_server.url}/console/indicators/?from=01/01/2025&to=31/12/2025")
    page.select_option("select[name=kind]", "report")
    page.click("button[name=format][value=pdf]")
    page.wait_for_selector("text=Tệp đã sẵn sàng.", timeout=20_000)
    with page.expect_download() as download_info:
        page.click("#export-progress a")
    path = download_info.value.path()
    text = PdfReader(io.BytesIO(open(path, "rb").read())).pages[0].extract_text()
    assert "Báo cáo hoạt động hệ thống thông tin cơ sở" in text
    assert "Cán bộ được đào tạo, bồi dưỡng" in text
    assert errors == []

    phone = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN")
    mobile = phone.new_page()
    login(mobile, live_server, "tinh.xem")
    mobile.goto(f"{live_server.url}/console/indicators/?from=01/01/2025&to=31/12/2025")
    width = mobile.evaluate("document.querySelector('.gr-cards').scrollWidth")
    assert width <= 375
    mobile.screenshot(path=os.path.join(artifacts_dir, "dashboard-phone.png"))
    context.close()
    phone.close()


def test_an_area_name_with_html_does_not_run_on_the_dashboard_map(
    browser, live_server, tree, roster, artifacts_dir
):
    evil = '<img src=x onerror="window.__xss=1">Xã Độc'
    Area.objects.filter(pk=tree.commune_a.pk).update(
        latitude=10.46, longitude=105.63, name=evil
    )
    Area.objects.filter(pk=tree.commune_b.pk).update(latitude=10.35, longitude=106.36)
    make_user("viewer", tree.province, username="tinh.xss")
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    login(page, live_server, "tinh.xss")
    page.goto(f"{live_server.url}/console/indicators/?from=01/01/2025&to=31/12/2025")
    page.wait_for_selector("#gr-map .leaflet-tooltip")
    for marker in page.locator("#gr-map .leaflet-interactive").all():
        marker.click(force=True)
        page.wait_for_timeout(50)
    page.screenshot(path=os.path.join(artifacts_dir, "dashboard-map-xss.png"))
    assert "<img" in " ".join(
        page.locator("#gr-map .leaflet-tooltip").all_inner_texts()
    )
    assert page.locator("#gr-map img[src=x]").count() == 0
    assert page.evaluate("() => window.__xss") is None
