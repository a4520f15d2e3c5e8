"""An operator types a bulletin, sees how it will be read, and hears it."""

import os

import pytest

from grassroots.testing import PASSWORD, make_tree, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_previews_a_bulletin_in_the_browser(
    fake_engine, live_server, browser, artifacts_dir
):
    tree = make_tree()
    make_user("operator", tree.commune_a, username="tramchim.phatthanh")
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "tramchim.phatthanh")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/speech/")
    page.fill("#id_text", "UBND xã thông báo: cắt điện từ 7h30 đến 16h ngày 20/3/2025.")
    page.wait_for_selector("#tts-spoken:has-text('bảy giờ ba mươi phút')")
    assert "Ủy ban nhân dân" in page.inner_text("#tts-spoken")
    page.click("[data-tts-listen]")
    page.wait_for_selector("[data-status=ready]", timeout=20000)
    duration = page.evaluate(
        """() => new Promise(done => {
            const a = document.querySelector('audio');
            if (a.readyState >= 1) return done(a.duration);
            a.addEventListener('loadedmetadata', () => done(a.duration));
            a.load();
        })"""
    )
    assert duration > 3  # chimes, gaps and speech: the browser can play it
    page.locator("#tts-result").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(artifacts_dir, "tts-preview-phone.png"))
    page.context.close()
