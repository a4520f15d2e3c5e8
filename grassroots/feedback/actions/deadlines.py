"""Deadline clocks, run by the worker: warn before the deadline, escalate after."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.areas.models import Level
from grassroots.core import numbers
from grassroots.core.sentence_case import mid_sentence

from .. import messages, workdays
from ..models import Event, EventKind, Feedback

logger = logging.getLogger(__name__)


@dataclass
class DeadlineRun:
    warned: int = 0
    escalated: int = 0


def warn_due(today: date | None = None) -> int:
    """Warn the unit of each open item whose deadline is near; return how many."""
    today = today or timezone.localdate()
    count = 0
    candidates = (
        Feedback.objects.open()
        .filter(warned_at=None, escalated_at=None, due_date__gte=today)
        .select_related("category", "area", "assigned_to")
    )
    for item in list(candidates):
        if (
            workdays.working_days_between(today, item.due_date)
            > item.category.warn_days
        ):
            continue
        with transaction.atomic():
            locked = Feedback.objects.select_for_update().get(pk=item.pk)
            if locked.warned_at is not None or not locked.is_open:
                continue
            Feedback.objects.filter(pk=item.pk).update(warned_at=timezone.now())
            Event.objects.create(
                feedback=item,
                kind=EventKind.WARNED,
                status=item.status,
                text=item.due_date.strftime("%d/%m/%Y"),
            )
            audit.record("feedback.warn", None, item)
            messages.tell_officials(
                item,
                item.area,
                _("Feedback %(code)s is due on %(date)s")
                % {
                    "code": item.display_code,
                    "date": item.due_date.strftime("%d/%m/%Y"),
                },
                _("“%(category)s”: %(text)s")
                % {"category": item.category, "text": item.description[:300]},
            )
        count += 1
    return count


def escalate_overdue(today: date | None = None) -> int:
    """Escalate each overdue open item to the level above its unit; return how many."""
    today = today or timezone.localdate()
    count = 0
    candidates = (
        Feedback.objects.overdue(today)
        .filter(escalated_at=None)
        .select_related("category", "area", "area__parent")
    )
    for item in list(candidates):
        above = item.area.parent if item.area.level > Level.PROVINCE else item.area
        if above is None:
            above = item.area
        with transaction.atomic():
            locked = Feedback.objects.select_for_update().get(pk=item.pk)
            if locked.escalated_at is not None or not locked.is_open:
                continue
            Feedback.objects.filter(pk=item.pk).update(
                escalated_at=timezone.now(), escalated_to=above
            )
            Event.objects.create(
                feedback=item,
                kind=EventKind.ESCALATED,
                status=item.status,
                from_area=item.area,
                to_area=above,
                text=item.due_date.strftime("%d/%m/%Y"),
            )
            audit.record(
                "feedback.escalate",
                None,
                item,
                data={"to": above.path, "due": item.due_date.isoformat()},
            )
            sent = messages.tell_officials(
                item,
                above,
                _("Overdue: feedback %(code)s of %(area)s")
                % {"code": item.display_code, "area": item.area},
                _("It was due on %(date)s and is still %(status)s. “%(text)s”")
                % {
                    "date": item.due_date.strftime("%d/%m/%Y"),
                    "status": mid_sentence(item.get_status_display()),
                    "text": item.description[:300],
                },
            )
            if not sent:
                logger.warning(
                    "Feedback %s escalated to %s, which has no handler with an e-mail",
                    item.code,
                    above.path,
                )
        count += 1
    return count


def check_deadlines(today: date | None = None) -> DeadlineRun:
    """Run both clocks (the periodic job calls this)."""
    return DeadlineRun(warned=warn_due(today), escalated=escalate_overdue(today))


def send_digests(now=None) -> int:
    """E-mail each unit's handlers what came in since the last working morning.

    Run once each working day; return how many units were written to. A
    handler starts the day with the list instead of checking the console.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not workdays.is_working_day(today):
        return 0
    since = now - timedelta(days=1)
    day = today - timedelta(days=1)
    while not workdays.is_working_day(day) and (today - day).days < 14:
        since -= timedelta(days=1)
        day -= timedelta(days=1)
    counts: dict[int, list[Feedback]] = {}
    for item in (
        Feedback.objects.open()
        .filter(received_at__gte=since)
        .select_related("area", "category")
        .order_by("received_at")
    ):
        counts.setdefault(item.area_id, []).append(item)
    sent = 0
    for items in counts.values():
        area = items[0].area
        overdue = Feedback.objects.overdue(today).filter(area=area).count()
        lines = [
            f"{i.display_code} — {i.category.name}: {i.description[:120]}"
            for i in items
        ]
        body = "\n".join(
            [
                _("New feedback for %(area)s: %(count)s.")
                % {"area": area.name, "count": numbers.text(len(items))},
                "",
                *lines,
                "",
                _("Overdue and still open: %(count)s.")
                % {"count": numbers.text(overdue)},
            ]
        )
        if messages.tell_officials(
            items[0],
            area,
            _("Feedback for %(area)s, %(date)s")
            % {"area": area.name, "date": today.strftime("%d/%m/%Y")},
            body,
        ):
            sent += 1
    return sent
