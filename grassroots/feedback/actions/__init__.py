"""Every change to feedback: intake, handling, deadlines and settings, each audited.

Views, the Open311 API, jobs and commands call these; none changes a
feedback item with a bare ``save()``.
"""

from .deadlines import check_deadlines, escalate_overdue, send_digests, warn_due
from .handling import (
    add_note,
    answer,
    assign,
    close,
    merge,
    not_duplicate,
    reassign,
    reopen,
    set_portal_visibility,
    start,
)
from .intake import Submission, record_offline, submit
from .settings import (
    create_api_client,
    delete_api_client,
    delete_calendar_day,
    delete_category,
    revoke_api_client,
    save_calendar_day,
    save_category,
    update_api_client,
)

__all__ = [
    "Submission",
    "add_note",
    "answer",
    "assign",
    "check_deadlines",
    "close",
    "create_api_client",
    "delete_api_client",
    "delete_calendar_day",
    "delete_category",
    "escalate_overdue",
    "merge",
    "not_duplicate",
    "reassign",
    "record_offline",
    "reopen",
    "revoke_api_client",
    "save_calendar_day",
    "save_category",
    "send_digests",
    "set_portal_visibility",
    "start",
    "submit",
    "update_api_client",
    "warn_due",
]
