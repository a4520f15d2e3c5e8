"""Feedback written offline, with a photo and the phone's position, is sent when the network returns."""

import pytest

from grassroots.feedback.models import Attachment, Feedback
from grassroots.feedback.tests.builders import png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_feedback_queued_offline_is_sent_when_back_online(live_server, browser, place):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="vi-VN",
        geolocation={"latitude": 10.4101, "longitude": 105.6102},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/phan-anh/")
    assert page.locator("#camera").is_visible()
    page.select_option("#id_category", label="Đường sá, cầu cống, giao thông")
    page.fill("#id_description", "Cột điện nghiêng sắp đổ trước nhà văn hóa ấp Một.")
    page.select_option("#id_commune", label="Xã An Bình")
    # The position only when the citizen taps for it (consent).
    page.click("#locate")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    page.set_input_files(
        "#id_files",
        files=[
            {"name": "cot-dien.png", "mimeType": "image/png", "buffer": png_bytes()}
        ],
    )

    context.set_offline(True)
    page.click("button[type=submit]")
    page.get_by_text("phản ánh được lưu trên điện thoại").wait_for()
    assert Feedback.objects.count() == 0

    context.set_offline(False)  # the browser fires "online"; the form goes out
    link = page.locator("#outbox-status a")
    link.wait_for()
    item = Feedback.objects.get()
    assert link.inner_text() == item.code
    assert item.description.startswith("Cột điện nghiêng")
    assert abs(float(item.latitude) - 10.4101) < 1e-3
    assert Attachment.objects.filter(feedback=item).count() == 1
    # Nothing is left to send twice.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert Feedback.objects.count() == 1
    context.close()
