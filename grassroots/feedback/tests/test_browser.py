"""A citizen on a phone, in a real browser, with and without JavaScript."""

import os

import pytest

from ..models import Feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_citizen_sends_feedback_from_a_phone(
    live_server, place, browser, artifacts_dir, javascript
):
    context = browser.new_context(
        **PHONE, java_script_enabled=javascript, locale="vi-VN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/phan-anh/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.select_option("#id_category", label="Đường sá, cầu cống, giao thông")
    page.fill(
        "#id_description",
        "Đoạn đường trước chợ có nhiều ổ gà lớn, xe máy đi qua dễ té ngã.",
    )
    page.select_option("#id_commune", label="Xã An Bình")
    page.select_option("#id_hamlet", label="Ấp Hai")
    if javascript:
        assert page.locator(
            "#map"
        ).is_visible()  # the map shows hamlets even without tiles
    else:
        assert not page.locator("#map").is_visible()
    page.fill("#id_email", "dan@example.org")
    page.screenshot(
        path=os.path.join(
            artifacts_dir, f"feedback-form-{'js' if javascript else 'nojs'}.png"
        ),
        full_page=True,
    )
    page.click("button[type=submit]")
    # Contact without consent: told clearly, nothing lost from the form.
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#id_description").startswith("Đoạn đường")
    page.check("#id_consent")
    page.click("button[type=submit]")
    page.wait_for_selector(".success")
    item = Feedback.objects.get()
    assert item.display_code in page.inner_text(".code")
    assert item.place == place.hamlet_a2
    page.screenshot(
        path=os.path.join(
            artifacts_dir, f"feedback-submitted-{'js' if javascript else 'nojs'}.png"
        ),
        full_page=True,
    )
    # Follow it later by code.
    page.goto(f"{live_server.url}/phan-anh/tra-cuu/")
    page.fill("#id_code", item.code.lower())
    page.click("button[type=submit]")
    page.wait_for_selector(".steps")
    assert "Xã An Bình" in page.content()
    context.close()


def test_commune_handler_answers_in_the_console(
    live_server, place, handler_a, browser, artifacts_dir
):
    from grassroots.testing import PASSWORD

    from .builders import submit

    item = submit(place, citizen_name="Nguyễn Văn Tư", phone="0912345678", consent=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", handler_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/feedback/")
    assert item.display_code in page.content()
    page.screenshot(
        path=os.path.join(artifacts_dir, "feedback-console-list.png"), full_page=True
    )
    page.goto(f"{live_server.url}/console/feedback/{item.pk}/")
    page.fill("#id_answer-text", "UBND xã đã cho vá ổ gà trước chợ. Cảm ơn bà con.")
    page.click("form:has(#id_answer-text) button[type=submit]")
    page.wait_for_selector(".messages")
    page.screenshot(
        path=os.path.join(artifacts_dir, "feedback-console-answered.png"),
        full_page=True,
    )
    item.refresh_from_db()
    assert item.status == "answered" and item.answered_on_time()
    page.goto(f"{live_server.url}/console/feedback/numbers/")
    assert "100" in page.inner_text("table")
    page.screenshot(
        path=os.path.join(artifacts_dir, "feedback-console-numbers.png"), full_page=True
    )
    page.close()
