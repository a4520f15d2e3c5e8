"""The citizen app in Chromium: installable, remembers my hamlet, reads offline."""

import io
import os

import pytest

from grassroots.bulletins import files
from grassroots.bulletins.tests.builders import make_people, make_published, wav_bytes
from grassroots.testing import make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}


def scene():
    tree = make_tree()
    people = make_people(tree)
    data = wav_bytes(1.0)
    flood = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Khẩn cấp: nước lũ dâng nhanh ở ấp Một",
        summary="Di dời người già và trẻ em lên chỗ cao.",
        category="thien-tai",
        level="emergency",
        targets=[tree.hamlet_a1],
        attachments=[
            (files.prepare(io.BytesIO(data), "loa.wav", len(data)), "Bản tin đọc")
        ],
    )
    vaccines = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng tại trạm y tế xã",
        targets=[tree.commune_a],
    )
    elsewhere = make_published(
        people.editor_b,
        people.approver_b,
        tree.commune_b,
        title="Cắt nước ở Khóm Ba",
        targets=[tree.hamlet_b1],
    )
    return tree, flood, vaccines, elsewhere


def choose_place(page, tree):
    page.wait_for_selector(
        f"#province option[value='{tree.province.path}']", state="attached"
    )
    page.select_option("#province", tree.province.path)
    page.wait_for_selector(
        f"#commune option[value='{tree.commune_a.path}']", state="attached"
    )
    page.select_option("#commune", tree.commune_a.path)
    page.wait_for_selector(
        f"#hamlet option[value='{tree.hamlet_a1.path}']", state="attached"
    )
    page.select_option("#hamlet", tree.hamlet_a1.path)
    page.get_by_role("button", name="Lưu nơi ở").click()


def test_install_choose_my_hamlet_and_read_offline(live_server, browser, artifacts_dir):
    tree, flood, vaccines, elsewhere = scene()
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/ung-dung/")
    choose_place(page, tree)

    emergencies = page.locator("#emergency-list")
    emergencies.get_by_text(flood.title).wait_for()
    assert page.locator("#today-list").get_by_text(vaccines.title).count() == 1
    assert page.get_by_text(elsewhere.title).count() == 0
    # Emergencies come first on the page, above today's news.
    assert page.evaluate(
        "document.querySelector('#emergency-list').compareDocumentPosition("
        "document.querySelector('#today-list')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    listen = emergencies.get_by_role("button", name=f"Nghe: {flood.title}")
    assert listen.inner_text() == "Nghe"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Installable: Chromium finds a manifest, icons and a service worker.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker controls the page and keeps what it loads
    emergencies.get_by_text(flood.title).wait_for()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito ones, where Chromium never installs.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest
    # The bulletin's own page, opened once, is kept too.
    page.get_by_role("link", name=flood.title).click()
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_load_state()

    # Offline for the page and for the service worker's own requests too
    # (Playwright's offline switch does not reach a service worker).
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.reload()
    emergencies.get_by_text(flood.title).wait_for()
    assert page.locator("#today-list").get_by_text(vaccines.title).count() == 1
    page.locator("#offline-note").wait_for(state="visible")
    page.screenshot(
        path=os.path.join(artifacts_dir, "citizen-offline.png"), full_page=True
    )
    page.goto(live_server.url + flood.get_absolute_url())
    assert page.locator("h1").inner_text() == flood.title
    # What was never loaded is not there: offline is real.
    page.goto(live_server.url + vaccines.get_absolute_url())
    assert page.locator("h1").count() == 0

    # The choice stays on the phone: the next visit goes straight to it.
    context.unroute("**/*")
    context.set_offline(False)
    again = context.new_page()
    again.goto(live_server.url + "/ung-dung/")
    again.locator("#emergency-list").get_by_text(flood.title).wait_for()
    assert again.locator("#place").is_hidden()
    context.close()
