"""Citizen feedback: categories, the items and their history, the calendar, clients."""

from .calendar import CalendarDay, DayKind
from .catalogue import Category
from .clients import ApiClient
from .feedback import (
    OPEN_STATUSES,
    Attachment,
    AttachmentKind,
    Channel,
    Event,
    EventKind,
    Feedback,
    Status,
)
from .outbox import Notification, NotificationStatus

__all__ = [
    "OPEN_STATUSES",
    "ApiClient",
    "Attachment",
    "AttachmentKind",
    "CalendarDay",
    "Category",
    "Channel",
    "DayKind",
    "Event",
    "EventKind",
    "Feedback",
    "Notification",
    "NotificationStatus",
    "Status",
]
