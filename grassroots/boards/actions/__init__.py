"""Every change to boards, their content, emergencies and reports (typed, atomic, audited).

``take_over`` and ``release`` are the interface the broadcasts app calls.
"""

from .content import (
    ItemContent,
    add_origin,
    change_origin,
    delete_item,
    delete_origin,
    save_item,
)
from .registry import (
    COMMANDS,
    change_board,
    register_board,
    revoke_address,
    rotate_address,
    send_command,
)
from .reports import (
    ReportResult,
    ScreenshotError,
    ShownEvent,
    record_report,
    save_screenshot,
)
from .takeover import release, take_over

__all__ = [
    "COMMANDS",
    "ItemContent",
    "ReportResult",
    "ScreenshotError",
    "ShownEvent",
    "add_origin",
    "change_origin",
    "change_board",
    "delete_item",
    "delete_origin",
    "record_report",
    "register_board",
    "release",
    "revoke_address",
    "rotate_address",
    "save_item",
    "save_screenshot",
    "send_command",
    "take_over",
]
