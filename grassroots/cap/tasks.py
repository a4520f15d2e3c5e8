"""Background jobs of CAP (huey): poll the sources' feeds, publish our messages."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from grassroots.core.jobs import only_one


@db_periodic_task(crontab(minute="*"))
def poll_cap_feeds() -> int:
    """Fetch the CAP feeds that are due; each new alert is received as if pushed."""
    from .polling import poll_due

    with only_one("cap-poll") as mine:
        return poll_due() if mine else 0


@db_periodic_task(crontab(minute="*"))
def publish_cap_messages() -> int:
    """Sign and keep a CAP message for each new version of what airs."""
    from .outbound import sync

    with only_one("cap-sync") as mine:
        return sync() if mine else 0
