"""Background jobs of live broadcasts (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def end_stale_sessions() -> int:
    """End sessions nobody feeds (web process restarted, microphone never opened)."""
    from .actions import end_stale

    return end_stale()
