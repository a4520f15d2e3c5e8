"""Background jobs: compile what changed, and keep the 48-hour window rolling."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from grassroots.accounts import audit

from . import actions, compiler

#: Schedules reach devices within seconds: ahead of renders and reports.
PRIORITY = 50


@db_task(priority=PRIORITY)
def compile_pending() -> int:
    """Send the clusters waiting for a new schedule; one run takes a whole burst."""
    with (
        HUEY.lock_task("broadcasts-compile"),
        audit.acting_as(audit.Origin(source="worker")),
    ):
        return actions.compile_pending()


@db_periodic_task(crontab(minute="*/30"))
def roll_window() -> int:
    """Send again every cluster whose schedule ends within 36 hours."""
    with audit.acting_as(audit.Origin(source="worker")):
        ids = compiler.due_for_refresh()
        return compiler.compile_and_send(ids) if ids else 0
