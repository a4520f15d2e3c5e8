"""What a citizen receives: polite, complete, the tracking code first."""

from __future__ import annotations

from grassroots.feedback import actions
from grassroots.feedback.models import Notification
from grassroots.feedback.notify import MemoryNotifier, SmsNotifier

from .builders import submit

LONG_ANSWER = "Đã kiểm tra hiện trường và giao đội công trình sửa đường. " * 20


def _answered(place, handler_a, **contact):
    item = submit(place, consent=True, citizen_name="Nguyễn Văn A", **contact)
    actions.assign(handler_a, item, handler_a)
    actions.start(handler_a, item)
    return actions.answer(handler_a, item, LONG_ANSWER, public=True)


def test_the_email_greets_says_what_happened_how_to_reply_and_who_writes(
    place, handler_a
):
    item = _answered(place, handler_a, email="dan@example.org")
    body = Notification.objects.filter(feedback=item).latest("pk").body
    lines = body.splitlines()
    assert lines[0] == f"Mã phản ánh: {item.display_code}"
    assert "Kính gửi Ông/Bà Nguyễn Văn A," in body
    assert "trả lời phản ánh của Ông/Bà như sau:" in body
    assert LONG_ANSWER.strip() in body
    assert f"/phan-anh/{item.code}/" in body and "Vui lòng không trả lời" in body
    assert lines[-2:] == [
        "Trân trọng,",
        f"Bộ phận tiếp nhận phản ánh, kiến nghị – {place.commune_a.name}",
    ]


def test_a_long_answer_never_pushes_the_code_out_of_the_sms(
    place, handler_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = _answered(place, handler_a, phone="0912345678")
    sms = Notification.objects.filter(feedback=item, channel="sms").latest("pk").body
    assert len(sms) <= SmsNotifier.MAX_CHARS
    assert sms.startswith(f"[{item.display_code}] {place.commune_a.name}:")
    assert sms.endswith(f"/phan-anh/{item.code}/") and "…" in sms
    # what reaches the phone is the same, untouched
    sent = [
        body for phone, _subject, body in MemoryNotifier.sent if phone == item.phone
    ]
    assert sent and sent[-1] == sms


def test_even_a_body_written_elsewhere_keeps_its_start_and_link():
    class Phone(SmsNotifier):
        texts: list[str] = []

        def send_sms(self, phone, text):
            self.texts.append(text)

    body = "[ABCDE-FGHJK] " + "x" * 500 + " https://example.vn/phan-anh/ABCDEFGHJK/"
    Phone().send("0912345678", "", body)
    (text,) = Phone.texts
    assert len(text) == SmsNotifier.MAX_CHARS
    assert text.startswith("[ABCDE-FGHJK] ")
    assert text.endswith(" https://example.vn/phan-anh/ABCDEFGHJK/")
