"""Settings of the feedback app, each overridable as ``GRASSROOTS_FEEDBACK_<NAME>``.

Read inside functions (never at import), so tests can override them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A citizen may reopen an answered item for this many days, this many times.
    "REOPEN_DAYS": 15,
    "MAX_REOPENS": 3,
    # Reopenings per address (reopenings, seconds).
    "RATE_REOPEN": (10, 3600),
    # Attachments on the public form and the Open311 ``media`` field.
    "MAX_FILES": 5,
    "MAX_FILE_BYTES": 10 * 1024 * 1024,
    "MAX_TOTAL_BYTES": 25 * 1024 * 1024,
    # (submissions, seconds). Mobile carriers put many phones behind one
    # address, so the per-address limit is generous; the per-contact one is not.
    "RATE_ADDRESS": (20, 600),
    "RATE_CONTACT": (5, 3600),
    # Tracking-code look-ups per address, so codes cannot be tried in bulk.
    "RATE_TRACK": (60, 600),
    "DUPLICATE_WINDOW_DAYS": 30,
    # Channel name → notifier class (see grassroots.feedback.notify).
    "NOTIFIERS": {
        "email": "grassroots.feedback.notify.EmailNotifier",
        # SMPP 3.4 and Zalo ZNS when GRASSROOTS_SMPP_* / GRASSROOTS_ZNS_* are
        # set (grassroots/conf.py); each logs the message until then.
        "sms": "grassroots.feedback.notify.smpp.SmppSmsNotifier",
        "zalo": "grassroots.feedback.notify.zns.ZnsNotifier",
    },
}


def get(name: str) -> Any:
    """Return the setting ``GRASSROOTS_FEEDBACK_<name>`` or its default."""
    return getattr(settings, f"GRASSROOTS_FEEDBACK_{name}", DEFAULTS[name])
