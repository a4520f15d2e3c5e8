"""The boards channel of the bulletin library.

Every event of a bulletin tells the boards where it is relevant to read
their playlist again (a push, not a poll). An emergency bulletin on the
board channel also takes over the boards of its target areas until it is
withdrawn, expires, or leaves the board channel.

The handler is registered on every channel (apps.py): an update that takes
a bulletin off the boards is dispatched to its remaining channels only, and
the boards must still drop it. One dispatch calls each channel's handlers
in turn with the same event object, so the handler remembers the last few
events it saw and acts once per event.
"""

from __future__ import annotations

import logging
from collections import deque

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.areas.models import Area
from grassroots.bulletins.channels import ChannelEvent, Event
from grassroots.bulletins.content import body_text
from grassroots.bulletins.models import Bulletin, Channel, Level, Status

from . import actions
from .models import TakeoverSource
from .push import journal

logger = logging.getLogger(__name__)

_recent: deque[ChannelEvent] = deque(maxlen=32)


def emergency_id_of(bulletin_id: int) -> str:
    return f"bulletin-{bulletin_id}"


def _target_paths(event: ChannelEvent, bulletin: Bulletin) -> list[str]:
    paths = list(
        Area.objects.filter(pk__in=event.target_area_ids).values_list("path", flat=True)
    )
    return paths or [bulletin.issuing_area.path]


def _takes_over(event: ChannelEvent, bulletin: Bulletin) -> bool:
    return (
        event.event in (Event.PUBLISHED, Event.UPDATED)
        and bulletin.level == Level.EMERGENCY
        and bulletin.on_boards
        and bulletin.status == Status.PUBLISHED
        and Channel.BOARDS in event.channels
    )


def _emergency_text(bulletin: Bulletin) -> str:
    parts = [bulletin.summary.strip(), body_text(bulletin.body)]
    return "\n\n".join(p for p in parts if p)[: actions.takeover.MAX_TEXT]


def on_bulletin(event: ChannelEvent) -> None:
    """Push the change to the boards concerned; take over or release for emergencies."""
    if any(seen is event for seen in _recent):
        return
    _recent.append(event)
    bulletin = (
        Bulletin.objects.select_related("issuing_area")
        .filter(pk=event.bulletin_id)
        .first()
    )
    if bulletin is None:
        return
    paths = _target_paths(event, bulletin)
    communes = Area.objects.filter(pk__in=event.commune_ids).values_list(
        "path", flat=True
    )
    with transaction.atomic():
        journal.refresh_areas(paths, related=True, reason=f"bulletin:{event.event}")
        if event.event == Event.ADOPTED:
            journal.refresh_areas(communes, reason="bulletin:adopted")
        emergency_id = emergency_id_of(bulletin.pk)
        if _takes_over(event, bulletin):
            try:
                actions.take_over(
                    emergency_id=emergency_id,
                    area_paths=paths,
                    title=bulletin.title,
                    text=_emergency_text(bulletin),
                    level=bulletin.level,
                    actor=None,
                    source=TakeoverSource.BULLETIN,
                    bulletin=bulletin,
                )
            except ValidationError as exc:
                # Ended by hand on the boards earlier: it stays ended, and the
                # bulletin plays in the playlist like any other.
                logger.info(
                    "Bulletin %s does not take over the boards: %s", bulletin.pk, exc
                )
        elif event.event != Event.ADOPTED:
            actions.release(emergency_id=emergency_id, actor=None)
