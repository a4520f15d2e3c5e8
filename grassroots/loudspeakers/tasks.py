"""Background jobs of the loudspeaker fleet (huey)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(priority=10)
def refresh_broker_files() -> None:
    """Rewrite the broker's password and ACL files after credentials or areas changed."""
    from . import brokerfiles

    brokerfiles.refresh()
