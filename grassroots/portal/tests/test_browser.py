"""The portal in a real browser on a phone: readable, keyboard-usable, no overflow."""

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

CONTRAST = """
(selector) => {
  function rgb(value) { return value.match(/[\\d.]+/g).slice(0, 3).map(Number); }
  function lum(c) {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function background(el) {
    while (el) {
      const bg = getComputedStyle(el).backgroundColor;
      if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return bg;
      el = el.parentElement;
    }
    return 'rgb(255, 255, 255)';
  }
  return [...document.querySelectorAll(selector)].map(el => {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(background(el)));
    return [el.textContent.trim().slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_the_portal_on_a_phone(live_server, browser, artifacts_dir):
    tree = make_tree()
    people = make_people(tree)
    data = wav_bytes(1.0)
    flood = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        title="Cảnh báo lũ trên sông Tiền: mực nước vượt báo động III",
        summary="Người dân ven sông khẩn trương di dời tài sản, trông giữ trẻ em.",
        body="<p>Mực nước tại Tân Châu đạt 4,12 m.</p>",
        category="thien-tai",
        level="emergency",
        attachments=[
            (
                files.prepare(io.BytesIO(data), "loa.wav", len(data)),
                "Bản tin đọc trên loa",
            )
        ],
    )
    make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng mở rộng tại Trạm Y tế xã",
        category="y-te",
        level="priority",
    )
    page = browser.new_page(viewport=PHONE, locale="vi-VN")

    page.goto(live_server.url + "/")
    assert page.locator(".alerts").get_by_text("Cảnh báo lũ").count() == 1
    page.screenshot(
        path=os.path.join(artifacts_dir, "portal-phone-home.png"), full_page=True
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Keyboard: the first Tab reaches the skip link, which leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    # Every form control has a label; text and links meet WCAG AA contrast.
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]),select')]"
        ".filter(e => !(e.labels && e.labels.length)).length"
    )
    assert unlabelled == 0
    for text, ratio in page.evaluate(CONTRAST, "p, a, h1, h2, h3, .badge, button"):
        assert ratio >= 4.5, (text, ratio)

    # The bulletin page: readable on the phone, with its recording to listen to.
    page.get_by_role("link", name="Cảnh báo lũ trên sông Tiền").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Cảnh báo lũ")
    assert page.locator("audio").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(
        path=os.path.join(artifacts_dir, "portal-phone-bulletin.png"), full_page=True
    )

    # Searching without diacritics, from the phone's keyboard.
    page.goto(live_server.url + f"/khu-vuc/{tree.commune_a.url_path}/")
    page.fill("#q-top", "tiem chung")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "tim-kiem" in page.url
    assert "Lịch tiêm chủng" in page.locator("main").inner_text()
    assert flood.title not in page.locator("main").inner_text()
    page.screenshot(
        path=os.path.join(artifacts_dir, "portal-phone-search.png"), full_page=True
    )
