"""Background jobs: build exports, keep the monthly snapshots, purge old files."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from grassroots.accounts import audit

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
@lock_task("indicators-provisional")
def refresh_provisional_snapshots() -> None:
    """Re-compute the open month so far once the period set in settings has passed."""
    from . import snapshots

    if snapshots.provisional_due():
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
