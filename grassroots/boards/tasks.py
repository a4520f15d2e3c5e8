"""Jobs of the boards: keep the push journal short."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import PushEvent

#: Journal rows are needed for seconds (the hubs) and minutes (replay to a
#: player reconnecting with Last-Event-ID); an hour is plenty.
KEEP_JOURNAL = timedelta(hours=1)


@db_periodic_task(crontab(minute="*/10"))
def prune_journal() -> int:
    """Delete push journal rows older than an hour; return how many."""
    deleted, _ = PushEvent.objects.filter(
        created_at__lt=timezone.now() - KEEP_JOURNAL
    ).delete()
    return deleted
