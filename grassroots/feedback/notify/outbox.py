"""Queue messages with the change that caused them, deliver them from the worker."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationStatus
from . import DeliveryError, notifier

logger = logging.getLogger(__name__)


def queue(
    *, channel: str, recipient: str, subject: str, body: str, feedback=None
) -> Notification | None:
    """Store one message and send it from the worker once the transaction commits."""
    if not recipient:
        return None
    message = Notification.objects.create(
        feedback=feedback,
        channel=channel,
        recipient=recipient[:254],
        subject=subject[:200],
        body=body,
    )
    from ..tasks import deliver_notification

    transaction.on_commit(lambda: deliver_notification(message.pk))
    return message


def deliver(message: Notification) -> bool:
    """Send one stored message; return True when it went out."""
    if message.status == NotificationStatus.SENT:
        return True
    sender = notifier(message.channel)
    message.attempts += 1
    if sender is None:
        message.status = NotificationStatus.FAILED
        message.error = f"no notifier for channel {message.channel}"
        message.save(update_fields=["attempts", "status", "error"])
        return False
    try:
        sender.send(message.recipient, message.subject, message.body)
    except DeliveryError as exc:
        logger.warning("Could not send notification %s: %s", message.pk, exc)
        message.status = NotificationStatus.FAILED
        message.error = str(exc)[:255]
        message.save(update_fields=["attempts", "status", "error"])
        return False
    message.status = NotificationStatus.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.save(update_fields=["attempts", "status", "error", "sent_at"])
    return True
