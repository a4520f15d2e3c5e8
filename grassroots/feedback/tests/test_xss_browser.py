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
    # The hamlets are dots for orientation (no tooltips, no tab stops); the
    # name is listed as text in the hamlet picker and never becomes markup.
    page.wait_for_selector("#map .leaflet-overlay-pane path")
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(artifacts_dir, "feedback-map-xss.png"))
    options = " ".join(page.locator("#id_hamlet option").all_inner_texts())
    assert "<img" in options  # shown literally, as text
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => window.__xss") is None
