"""Background jobs of the loudspeaker fleet (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(priority=10)
def refresh_broker_files() -> None:
    """Rewrite the broker's files after credentials, areas or states changed, and reload it."""
    from . import brokerfiles

    brokerfiles.refresh()


@db_periodic_task(crontab(minute="*"))
def retry_broker_refresh() -> None:
    """Try again, every minute, to make the broker apply files it did not take."""
    from . import brokerfiles
    from .models import BrokerSync

    if BrokerSync.objects.filter(failing_since__isnull=False).exists():
        brokerfiles.refresh(force=True)
