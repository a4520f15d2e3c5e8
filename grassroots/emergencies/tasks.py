"""Background jobs of emergency broadcasts (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def expire_emergencies() -> int:
    """End the emergencies whose end time has come (devices stop them by themselves too)."""
    from .actions import expire_due

    return expire_due()


@db_periodic_task(crontab(minute="*"))
def republish_emergencies() -> int:
    """Send again what the broker did not confirm (it was down at the decision)."""
    from .actions import republish_undelivered

    return republish_undelivered()


@db_periodic_task(crontab(minute="*"))
def start_planned_drills() -> int:
    """Start the planned drills whose time has come (at most a minute late)."""
    from .actions import start_due_drills

    return start_due_drills()
