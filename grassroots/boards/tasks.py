"""Jobs of the boards: keep the push journal short, and raw proof for 400 days."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import DisplayEvent, PushEvent

#: Journal rows are needed for seconds (the hubs) and minutes (replay to a
#: player reconnecting with Last-Event-ID); an hour is plenty.
KEEP_JOURNAL = timedelta(hours=1)
#: Raw display events are kept this long; the per-bulletin totals
#: (``BulletinDisplay``) and the indicator snapshots stay for good.
KEEP_DISPLAY_EVENTS = timedelta(days=400)


@db_periodic_task(crontab(minute="*/10"))
def prune_journal() -> int:
    """Delete push journal rows older than an hour; return how many."""
    deleted, _ = PushEvent.objects.filter(
        created_at__lt=timezone.now() - KEEP_JOURNAL
    ).delete()
    return deleted


@db_periodic_task(crontab(hour="2", minute="40"))
def prune_display_events() -> int:
    """Delete raw display events older than 400 days; return how many."""
    deleted, _ = DisplayEvent.objects.filter(
        started_at__lt=timezone.now() - KEEP_DISPLAY_EVENTS
    ).delete()
    return deleted
