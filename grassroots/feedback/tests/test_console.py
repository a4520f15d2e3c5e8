"""Console pages: the list, handling one item, recording calls, the numbers, settings."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ..models import CalendarDay, Channel, Feedback, Status
from .builders import category, png_bytes, submit

pytestmark = pytest.mark.django_db


def test_handler_lists_only_their_communes_feedback(client, place, handler_a):
    mine = submit(place)
    theirs = submit(
        place,
        place=place.hamlet_b1,
        description="Đèn đường ở khóm Ba hỏng cả tuần nay.",
    )
    client.force_login(handler_a)
    body = client.get(reverse("feedback_console:index")).content.decode()
    assert mine.display_code in body and theirs.display_code not in body
    assert reverse("feedback_console:handle", args=[mine.pk]) in body
    assert (
        client.get(reverse("feedback_console:handle", args=[theirs.pk])).status_code
        == 404
    )


def test_handler_answers_from_the_console_with_a_file(client, place, handler_a):
    item = submit(place)
    client.force_login(handler_a)
    page = client.get(reverse("feedback_console:handle", args=[item.pk]))
    assert page.status_code == 200 and item.description in page.content.decode()
    response = client.post(
        reverse("feedback_console:act", args=[item.pk]),
        {
            "action": "answer",
            "answer-text": "Đã vá ổ gà, xem ảnh kèm theo.",
            "answer-public": "on",
            "answer-files": [
                SimpleUploadedFile("sau.png", png_bytes(), content_type="image/png")
            ],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.ANSWERED and item.answered_on_time()
    answer_file = item.attachments.get()
    assert answer_file.is_public
    assert (
        client.get(reverse("feedback:attachment", args=[answer_file.pk])).status_code
        == 200
    )


def test_answer_and_close_is_one_submission_that_says_what_it_did(
    client, place, handler_a
):
    from grassroots.accounts.models import AuditEntry

    from ..models.outbox import Notification

    item = submit(place, phone="0912345678", consent=True)
    client.force_login(handler_a)
    sent_before = Notification.objects.filter(feedback=item).count()
    response = client.post(
        reverse("feedback_console:act", args=[item.pk]),
        {
            "action": "answer",
            "answer-text": "Đã vá ổ gà.",
            "answer-public": "on",
            "close": "1",
        },
        follow=True,
    )
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.public_answer == "Đã vá ổ gà."
    assert item.answered_on_time()
    said = f"Đã gửi trả lời và đóng phản ánh {item.display_code}."
    assert said in response.content.decode()
    actions = set(
        AuditEntry.objects.filter(object_id=str(item.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"feedback.answer", "feedback.close"} <= actions
    # One message to the citizen: the answer, not a second "closed" one.
    assert Notification.objects.filter(feedback=item).count() == sent_before + 1


def test_console_action_errors_are_shown_not_500(client, place, handler_a):
    item = submit(place)
    client.force_login(handler_a)
    response = client.post(
        reverse("feedback_console:act", args=[item.pk]),
        {"action": "close"},
        follow=True,
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == Status.RECEIVED
    response = client.post(
        reverse("feedback_console:act", args=[item.pk]), {"action": "nonsense"}
    )
    assert response.status_code == 302


def test_viewer_cannot_act(client, place):
    from grassroots.accounts.roles import Role
    from grassroots.testing import make_user

    item = submit(place)
    client.force_login(make_user(Role.VIEWER, place.commune_a))
    assert (
        client.get(reverse("feedback_console:handle", args=[item.pk])).status_code
        == 200
    )
    client.post(reverse("feedback_console:act", args=[item.pk]), {"action": "start"})
    item.refresh_from_db()
    assert item.status == Status.RECEIVED


def test_record_phone_feedback(client, place, handler_a):
    client.force_login(handler_a)
    response = client.post(
        reverse("feedback_console:record"),
        {
            "channel": Channel.PHONE,
            "received_at": "",
            "category": category("chieu-sang").pk,
            "description": "Ông Năm gọi báo đèn đường ở ấp Hai tắt hai đêm nay.",
            "commune": place.commune_a.pk,
            "hamlet": place.hamlet_a2.pk,
            "citizen_name": "Trần Văn Năm",
            "phone": "0987654321",
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Feedback.objects.get()
    assert item.channel == Channel.PHONE and item.recorded_by == handler_a
    assert item.area == place.commune_a


def test_numbers_page_and_csv(client, place, province_handler, handler_a):
    from .. import actions

    actions.answer(handler_a, submit(place), "Đã xử lý.")
    submit(
        place,
        place=place.hamlet_b1,
        description="Đèn đường ở khóm Ba hỏng cả tuần nay.",
    )
    client.force_login(province_handler)
    today = timezone.localdate().strftime("%d/%m/%Y")
    params = {"area": place.province.pk, "start": "01/01/2024", "end": today}
    page = client.get(reverse("feedback_console:numbers"), params)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Xã An Bình" in body and "Phường Tân Mỹ" in body
    csv = client.get(reverse("feedback_console:numbers"), {**params, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert ";50,0;" in csv.content.decode("utf-8-sig")  # 1 of 2 handled, decimal comma


def test_commune_handler_cannot_add_calendar_days(
    client, place, handler_a, province_handler
):
    client.force_login(handler_a)
    assert client.get(reverse("feedback_calendar:add")).status_code in (302, 403)
    client.force_login(province_handler)
    response = client.post(
        reverse("feedback_calendar:add"),
        {
            "date": "15/06/2025",
            "kind": "holiday",
            "name": "Nghỉ đột xuất",
            "note": "",
            "provisional": "",
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=date(2025, 6, 15)).exists()


def test_api_client_key_shown_once(client, place, province_handler):
    client.force_login(province_handler)
    response = client.post(
        reverse("feedback_clients:add"),
        {"name": "Zalo mini app", "contact": "", "per_minute": 30, "is_active": "on"},
        follow=True,
    )
    assert "gr311_" in response.content.decode()


def test_staff_api_lists_scope_and_stats(client, place, handler_a):
    submit(place)
    client.force_login(handler_a)
    rows = client.get("/api/v1/feedback/").json()
    assert len(rows) == 1 and rows[0]["area_path"] == place.commune_a.path
    today = timezone.localdate().isoformat()
    ok = client.get(
        "/api/v1/feedback/stats",
        {"area": place.commune_a.path, "start": "2024-01-01", "end": today},
    )
    assert ok.json()["received"] == 1
    other = client.get(
        "/api/v1/feedback/stats",
        {"area": place.commune_b.path, "start": "2024-01-01", "end": today},
    )
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"


def test_switching_a_client_off_stops_its_key(client, place, province_handler):
    from .. import actions
    from ..open311 import clients

    app, key = actions.create_api_client(province_handler, name="App")
    client.force_login(province_handler)
    response = client.post(
        reverse("feedback_clients:edit", args=[app.pk]),
        {"name": "App", "contact": "", "per_minute": 10},
    )
    assert response.status_code == 302
    clients.forget()
    assert clients.client_for(key) is None


def test_list_shows_overdue_and_duplicates(client, place, handler_a):
    from datetime import timedelta

    late = submit(place)
    Feedback.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    fresh = submit(place, description="Đèn đường ở ấp Một hỏng cả tuần nay rồi.")
    client.force_login(handler_a)
    body = client.get(
        reverse("feedback_console:index"), {"show": "overdue"}
    ).content.decode()
    assert late.display_code in body and fresh.display_code not in body
