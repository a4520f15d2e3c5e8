"""Handling feedback: every action, its scope, its audit, and what the citizen hears."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import AuditEntry

from .. import actions, workdays
from ..models import Channel, EventKind, Feedback, Notification, Status
from ..notify import MemoryNotifier
from .builders import submit

pytestmark = pytest.mark.django_db


def test_submit_routes_sets_deadline_and_audits(place):
    item = submit(place, email="dan@example.org", consent=True)
    assert item.area == place.commune_a
    assert item.status == Status.RECEIVED
    assert len(item.code) == 10
    assert item.due_date == workdays.add_working_days(
        timezone.localdate(item.received_at), item.category.deadline_days
    )
    assert item.events.get().kind == EventKind.RECEIVED
    assert AuditEntry.objects.filter(
        action="feedback.submit", object_id=str(item.pk)
    ).exists()
    message = Notification.objects.get(feedback=item)
    assert message.recipient == "dan@example.org"
    assert item.display_code in message.body


def test_citizen_is_told_once_the_transaction_commits(
    place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = submit(place, phone="0912345678", consent=True)
    assert [m[0] for m in MemoryNotifier.sent] == ["0912345678"]
    assert Notification.objects.get(feedback=item).status == "sent"


def test_handler_of_the_commune_answers_on_time(place, handler_a):
    item = submit(place)
    actions.assign(handler_a, item, handler_a)
    actions.start(handler_a, item)
    item = actions.answer(handler_a, item, "Đã vá ổ gà.", public=True)
    assert item.status == Status.ANSWERED
    assert item.answered_on_time() is True
    assert item.public_answer == "Đã vá ổ gà."
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == ["received", "assigned", "started", "answered"]


def test_other_communes_handler_may_not_touch_it(place, handler_b):
    item = submit(place)
    for call in (
        lambda: actions.start(handler_b, item),
        lambda: actions.answer(handler_b, item, "x"),
        lambda: actions.add_note(handler_b, item, "x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_province_handler_may_act_anywhere(place, province_handler):
    item = submit(place)
    actions.answer(province_handler, item, "Tỉnh trả lời.")


def test_assign_only_to_someone_who_can_handle_it(place, handler_a, handler_b):
    item = submit(place)
    with pytest.raises(ValidationError):
        actions.assign(handler_a, item, handler_b)


def test_reassign_needs_a_reason_and_keeps_the_deadline(place, handler_a, handler_b):
    item = submit(place)
    due = item.due_date
    with pytest.raises(ValidationError):
        actions.reassign(handler_a, item, place.commune_b, "")
    item = actions.reassign(
        handler_a, item, place.commune_b, "Thuộc địa bàn phường Tân Mỹ"
    )
    assert item.area == place.commune_b
    assert item.due_date == due
    with pytest.raises(PermissionDenied):
        actions.start(handler_a, item)
    actions.start(handler_b, item)
    assert Notification.objects.filter(recipient="b@example.org").exists()


def test_reassign_outside_the_province_is_refused(place, province_handler):
    item = submit(place)
    with pytest.raises(ValidationError):
        actions.reassign(province_handler, item, place.other_commune, "sai tỉnh")


def test_close_without_answer_needs_a_reason(place, handler_a):
    item = submit(place)
    with pytest.raises(ValidationError):
        actions.close(handler_a, item)
    item = actions.close(handler_a, item, "Tin nhắn rác")
    assert item.status == Status.CLOSED


def test_citizen_reopens_within_the_set_time(place, handler_a):
    item = actions.answer(handler_a, submit(place), "Đã xử lý.")
    item = actions.reopen(item, "Ổ gà vẫn còn")
    assert item.status == Status.IN_PROGRESS  # back with the handler who answered
    assert item.answered_at is None
    assert item.due_date >= timezone.localdate()
    assert item.events.filter(kind=EventKind.REOPENED, is_public=True).exists()


def test_reopen_after_the_set_time_is_refused(place, handler_a, settings):
    item = actions.answer(handler_a, submit(place), "Đã xử lý.")
    Feedback.objects.filter(pk=item.pk).update(
        answered_at=timezone.now() - timedelta(days=settings_days(settings) + 1)
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.reopen(item, "Vẫn còn")


def settings_days(settings):
    from django.conf import settings

    return settings.GRASSROOTS_FEEDBACK_REOPEN_DAYS


def test_similar_report_from_the_same_place_is_marked_duplicate(place, handler_a):
    first = submit(place)
    second = submit(
        place, description="Đường trước chợ nhiều ổ gà lớn, xe máy qua rất dễ té."
    )
    other = submit(
        place, description="Đèn đường hỏng cả tuần, ban đêm tối om, rất nguy hiểm."
    )
    assert second.possible_duplicate_of == first
    assert other.possible_duplicate_of is None
    actions.merge(handler_a, second, first)
    second.refresh_from_db()
    assert second.merged_into == first
    assert second.status == Status.CLOSED


def test_not_a_duplicate_clears_the_mark(place, handler_a):
    submit(place)
    second = submit(
        place, description="Đường trước chợ nhiều ổ gà lớn, xe máy qua rất dễ té."
    )
    assert actions.not_duplicate(handler_a, second).possible_duplicate_of is None


def test_late_item_escalates_to_the_level_above(place, handler_a, province_handler):
    """Overdue and unanswered: the province is told, once."""
    item = submit(place)
    Feedback.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    assert actions.escalate_overdue() == 1
    assert actions.escalate_overdue() == 0
    item.refresh_from_db()
    assert item.escalated_to == place.province
    assert Notification.objects.filter(
        recipient="tinh@example.org", feedback=item
    ).exists()
    assert item.events.filter(kind=EventKind.ESCALATED).exists()
    # Answered late, it counts as handled late.
    item = actions.answer(handler_a, item, "Xin lỗi vì chậm trễ.")
    assert item.answered_on_time() is False


def test_warning_before_the_deadline(place, handler_a):
    item = submit(place)
    today = timezone.localdate()
    Feedback.objects.filter(pk=item.pk).update(
        due_date=workdays.add_working_days(today, 1)
    )
    assert actions.warn_due(today) == 1
    assert actions.warn_due(today) == 0
    assert Notification.objects.filter(
        recipient="a@example.org", feedback=item
    ).exists()


def test_offline_feedback_keeps_its_channel_and_recorder(place, handler_a):
    data = actions.Submission(
        category=submit(place).category,
        description="Bà Sáu gọi điện báo đèn đường hỏng.",
        channel=Channel.PHONE,
        place=place.hamlet_a2,
        received_at=timezone.now() - timedelta(hours=2),
    )
    item = actions.record_offline(handler_a, data, province=place.province)
    assert item.channel == Channel.PHONE
    assert item.recorded_by == handler_a
    data.place = place.hamlet_b1
    with pytest.raises(PermissionDenied):
        actions.record_offline(handler_a, data, province=place.province)


def test_portal_needs_a_public_answer(place, handler_a):
    item = submit(place)
    with pytest.raises(ValidationError):
        actions.set_portal_visibility(handler_a, item, True)
    actions.answer(handler_a, item, "Đã sửa.")
    assert actions.set_portal_visibility(handler_a, item, True).show_on_portal


def test_api_client_key_is_stored_hashed(province_handler):
    client, key = actions.create_api_client(province_handler, name="App")
    assert key not in client.key_hash and client.key_prefix == key[:10]


def test_portal_list_has_no_personal_data(place, handler_a):
    from .. import public

    item = submit(place, citizen_name="Nguyễn Văn Tư", phone="0912345678", consent=True)
    actions.answer(handler_a, item, "Đã vá ổ gà.")
    assert public.published() == []
    actions.set_portal_visibility(handler_a, item, True)
    [shown] = public.published(place.commune_a)
    assert shown.answer == "Đã vá ổ gà." and shown.area == "Xã An Bình"
    assert "0912345678" not in repr(shown) and "Nguyễn Văn Tư" not in repr(shown)


def test_summary_by_area_in_one_pass(place, handler_a):
    from datetime import date

    from .. import stats

    actions.answer(handler_a, submit(place), "Đã xử lý.")
    submit(
        place,
        place=place.hamlet_b1,
        description="Đèn đường ở khóm Ba hỏng cả tuần nay.",
    )
    today = timezone.localdate()
    s = stats.summary(place.province, date(2024, 1, 1), today, by_area=True)
    assert s.by_area[place.commune_a.path].handled_on_time == 1
    assert s.by_area[place.commune_b.path].open_in_time == 1
    assert s.as_dict()["by_area"][place.commune_b.path]["received"] == 1


def test_morning_digest_lists_new_feedback_for_each_unit(place, handler_a, handler_b):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    item = submit(place)
    # A working Wednesday morning, the day after.
    now = datetime(2025, 6, 11, 7, 30, tzinfo=vn)
    Feedback.objects.filter(pk=item.pk).update(
        received_at=datetime(2025, 6, 10, 15, 0, tzinfo=vn)
    )
    assert actions.send_digests(now) == 1
    message = Notification.objects.get(recipient="a@example.org")
    assert item.display_code in message.body
    assert not Notification.objects.filter(recipient="b@example.org").exists()
    # Nothing on a Sunday.
    assert actions.send_digests(datetime(2025, 6, 15, 7, 30, tzinfo=vn)) == 0
