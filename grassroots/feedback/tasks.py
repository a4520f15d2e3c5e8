"""Background jobs: thin wrappers that load by id and call an action."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from grassroots.accounts import audit

logger = logging.getLogger(__name__)
WORKER = audit.Origin(source="worker")


@db_task(retries=3, retry_delay=120)
def deliver_notification(notification_id: int) -> None:
    """Send one queued message; raise so huey retries when it failed."""
    from .models import Notification
    from .notify.outbox import deliver

    message = Notification.objects.filter(pk=notification_id).first()
    if message is None:
        return
    if not deliver(message):
        raise RuntimeError(f"notification {notification_id} not delivered")


@db_periodic_task(crontab(minute="*/15"))
def check_deadlines() -> None:
    """Warn before deadlines and escalate overdue feedback, every 15 minutes."""
    from .actions import check_deadlines as run

    with audit.acting_as(WORKER):
        result = run()
    if result.warned or result.escalated:
        logger.info(
            "Feedback deadlines: %s warned, %s escalated",
            result.warned,
            result.escalated,
        )


@db_periodic_task(crontab(minute="30"))
def morning_digest() -> None:
    """At 07:30 local time on working days, send each unit its new feedback."""
    from django.utils import timezone

    from .actions import send_digests

    # huey's crontab may run in UTC: fire hourly and act at 07 local.
    if timezone.localtime().hour != 7:
        return
    with audit.acting_as(WORKER):
        send_digests()
