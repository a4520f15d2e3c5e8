"""An area's name holding HTML is shown as text on the public form's map, never run."""

import os

import pytest

from grassroots.areas.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL = '<img src=x onerror="window.__xss=1">Ấp Độc'


def test_a_hamlet_name_with_html_does_not_run_on_the_public_map(
    live_server, place, browser, artifacts_dir
):
    Area.objects.filter(pk=place.hamlet_a1.pk).update(name=EVIL)
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{live_server.url}/phan-anh/")
    page.wait_for_selector("#map .leaflet-interactive")
    texts = ""
    for marker in page.locator("#map .leaflet-interactive").all():
        marker.hover(force=True)
        page.wait_for_timeout(100)
        texts += " ".join(page.locator(".leaflet-tooltip").all_inner_texts())
        if "<img" in texts:
            break
    page.screenshot(path=os.path.join(artifacts_dir, "feedback-map-xss.png"))
    assert "<img" in texts  # shown literally, as text
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("() => window.__xss") is None
