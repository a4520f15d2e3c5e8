"""Background jobs: compile what changed, and keep the 48-hour window rolling."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from grassroots.accounts import audit
from grassroots.core import jobs

from . import actions, compiler
from .models import CompileRequest, ProgrammeItem

#: Schedules reach devices within seconds: ahead of renders and reports.
PRIORITY = 50


@db_task(priority=PRIORITY)
def compile_pending() -> int:
    """Send the clusters waiting for a new schedule; one run takes a whole burst.

    A run that finds another running leaves its clusters to it. So the
    holder, once it lets the lock go, asks again for clusters that came while
    it held it: their own run may have found the lock taken.
    """
    with jobs.only_one("broadcasts-compile") as running:
        if not running:
            return 0
        with audit.acting_as(audit.Origin(source="worker")):
            sent = actions.compile_pending()
    if CompileRequest.objects.exists():
        compile_pending()
    return sent


@db_periodic_task(crontab(minute="*/30"))
def roll_window() -> int:
    """Send again every cluster whose schedule ends within 36 hours."""
    with audit.acting_as(audit.Origin(source="worker")):
        _render_waiting()
        ids = compiler.due_for_refresh()
        return compiler.compile_and_send(ids) if ids else 0


def _render_waiting() -> None:
    """Render the audio of active items queued without a job (no cluster then)."""
    from grassroots.tts.models import RenderedAudio, Status
    from grassroots.tts.tasks import render_audio

    waiting = RenderedAudio.objects.filter(
        status=Status.QUEUED,
        pk__in=ProgrammeItem.objects.filter(is_active=True).values("audio"),
    )
    for audio_id in waiting.values_list("pk", flat=True):
        render_audio(audio_id)
