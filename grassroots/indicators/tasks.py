"""Background jobs: build exports, keep the monthly snapshots, purge old files."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from grassroots.accounts import audit
from grassroots.core import jobs

WORKER = audit.Origin(source="worker")


@db_task()
def run_export(export_id: int) -> None:
    from . import actions

    with audit.acting_as(WORKER):
        actions.build_export(export_id)


@db_periodic_task(crontab(minute="17"))
def fill_snapshots() -> None:
    """Fill snapshots missing for closed months (the first of the month, after marks)."""
    from . import snapshots

    with audit.acting_as(WORKER):
        snapshots.refresh()


@db_periodic_task(crontab(minute="*"))
def refresh_provisional_snapshots() -> None:
    """Re-compute the open month so far once the period set in settings has passed.

    A run still going a minute later keeps the work; the next one returns.
    """
    from . import snapshots

    with jobs.only_one("indicators-provisional") as running:
        if running and snapshots.provisional_due():
            with audit.acting_as(WORKER):
                snapshots.refresh_provisional()


@db_periodic_task(crontab(hour="1", minute="30"))
def restate_snapshots() -> None:
    """Re-compute the last closed months: flows change after a month closes."""
    from . import snapshots

    with audit.acting_as(WORKER):
        snapshots.refresh(restate=snapshots.RESTATE_MONTHS)


@db_periodic_task(crontab(hour="2", minute="45"))
def purge_old_exports() -> None:
    from . import actions

    actions.purge_exports()
