"""Background jobs: take an id, load, call the action."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from grassroots.accounts import audit

from . import actions

#: Emergency bulletins jump the queue (huey runs higher numbers first).
URGENT_PRIORITY = 100
NORMAL_PRIORITY = 10


@db_task(priority=NORMAL_PRIORITY)
def render_audio(audio_id: int) -> None:
    """Render one queued text to audio."""
    with audit.acting_as(audit.Origin(source="worker")):
        actions.render(audio_id)
