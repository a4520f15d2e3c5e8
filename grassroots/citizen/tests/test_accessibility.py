"""WCAG 2.1 AA on the citizen pages: axe-core finds nothing, keyboard and phone checks."""

import os

import pytest

from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.feedback.tests.builders import submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}
#: WCAG 2.1 A and AA rules only (axe also has best practices and AAA ones).
AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}


def axe_clean(page, name, artifacts_dir):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AA)
    page.screenshot(
        path=os.path.join(artifacts_dir, f"a11y-{name}.png"), full_page=True
    )
    assert results.violations_count == 0, (name, results.generate_report())
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= page.viewport_size["width"]
    ), name


def test_citizen_pages_pass_axe_on_a_phone(live_server, browser, place, artifacts_dir):
    people = make_people(place)
    flood = make_published(
        people.editor_a,
        people.approver_a,
        place.commune_a,
        title="Khẩn cấp: nước lũ dâng nhanh",
        level="emergency",
        category="thien-tai",
        targets=[place.hamlet_a1],
    )
    item = submit(place)
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    base = live_server.url
    for name, url in [
        ("portal", "/"),
        ("area", f"/khu-vuc/{place.commune_a.url_path}/"),
        ("bulletin", flood.get_absolute_url()),
        ("app", "/ung-dung/"),
        ("feedback-form", "/phan-anh/"),
        ("lookup", "/phan-anh/tra-cuu/"),
        ("tracking", f"/phan-anh/{item.code}/"),
    ]:
        response = page.goto(base + url)
        assert response.ok, (url, response.status)
        page.wait_for_load_state("networkidle")
        axe_clean(page, name, artifacts_dir)
    # 200 % zoom of a 640 px window: 320 CSS pixels, nothing cut off.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(base + "/phan-anh/")
    axe_clean(page, "feedback-form-320", artifacts_dir)


def test_the_feedback_form_by_keyboard(live_server, browser, place, artifacts_dir):
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.goto(live_server.url + "/phan-anh/")
    page.wait_for_load_state("networkidle")
    # Submit with nothing filled in: fewer than 25 Tabs reach the button.
    presses = 0
    while presses < 60:
        presses += 1
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.type === 'submit' && "
            "document.activeElement.closest('form.feedback-form') !== null"
        ):
            break
    assert presses < 25, presses
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Focus moves to the error summary, and the title says there are errors.
    assert page.evaluate("document.activeElement.id") == "errors"
    assert page.title().startswith("Lỗi:")
    axe_clean(page, "feedback-errors", artifacts_dir)


def test_a_wrong_code_is_tied_to_its_field(live_server, browser, place, artifacts_dir):
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.goto(live_server.url + "/phan-anh/tra-cuu/?code=ZZZZZZZZZZ")
    field = page.locator("#id_code")
    described = field.get_attribute("aria-describedby") or ""
    assert "id_code_error" in described.split()
    assert "Không" in page.locator("#id_code_error").inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Lỗi:")
    axe_clean(page, "lookup-error", artifacts_dir)


def test_focus_rings_stand_out(live_server, browser, place):
    """The focus outline is at least 3:1 against the page behind it."""
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    ratio = """(sel) => {
      const el = document.querySelector(sel); el.focus();
      const rgb = v => v.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      let bg = el.parentElement, colour = 'rgb(255, 255, 255)';
      while (bg) { const c = getComputedStyle(bg).backgroundColor; if (c && !c.startsWith('rgba(0, 0, 0, 0)')) { colour = c; break; } bg = bg.parentElement; }
      const a = lum(rgb(getComputedStyle(el).outlineColor)), b = lum(rgb(colour));
      return [getComputedStyle(el).outlineStyle, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    }"""
    for url, selectors in [
        ("/phan-anh/", ["#id_description", "button.primary", "header.site nav a"]),
        ("/", [".card-title a, .chips a", ".site-nav a", "#q-top"]),
    ]:
        page.goto(live_server.url + url)
        for selector in selectors:
            page.keyboard.press("Tab")  # keyboard modality: :focus-visible applies
            style, contrast = page.evaluate(ratio, selector)
            assert style != "none" and contrast >= 3, (url, selector, contrast)
