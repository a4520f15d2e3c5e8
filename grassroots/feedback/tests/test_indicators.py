"""The feedback indicators of the indicators framework, on a hand-built set."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grassroots.indicators import registry

from .. import actions
from ..models import Feedback
from .builders import submit

pytestmark = pytest.mark.django_db


def test_handled_and_on_time(place, handler_a, handler_b):
    today = timezone.localdate()
    answered = actions.answer(handler_a, submit(place), "Đã xử lý.")
    closed = actions.close(
        handler_b,
        submit(place, place=place.hamlet_b1, description="Tin nhắn quảng cáo rác."),
        "Không phải phản ánh",
    )
    late = submit(place, description="Đèn đường ở ấp Một hỏng cả tuần nay rồi.")
    Feedback.objects.filter(pk=late.pk).update(due_date=today - timedelta(days=1))
    start = today - timedelta(days=5)

    handled = registry.get("feedback_handled")
    m = handled.compute(place.province, start, today)
    assert (m.numerator, m.denominator, m.value) == (2, 3, Decimal("66.7"))
    by_area = handled.compute_many([place.commune_a, place.commune_b], start, today)
    assert (
        by_area[place.commune_a.pk].numerator,
        by_area[place.commune_a.pk].denominator,
    ) == (1, 2)
    assert by_area[place.commune_b.pk].value == Decimal("100.0")

    on_time = registry.get("feedback_on_time").compute(place.province, start, today)
    # The overdue one is due in the period and unanswered; the answered one is
    # due later but answered in the period; the closed one has no answer.
    assert (on_time.numerator, on_time.denominator) == (1, 2)
    assert answered.pk and closed.pk
