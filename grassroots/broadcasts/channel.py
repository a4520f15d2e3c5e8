"""The loudspeakers' handler of bulletin channel events.

- ``adopted`` (a commune took a normal bulletin from above), ``published`` of
  a priority bulletin, and ``published`` of a commune's own normal bulletin:
  queued for airing at each commune's next broadcast slot;
- ``withdrawn`` / ``expired``: taken off the air, devices get new schedules;
- ``updated``: read aloud again; schedules follow when the audio is ready.

Emergency bulletins are not handled here: the emergencies app airs them at once.
"""

from __future__ import annotations

import logging

from grassroots.accounts import audit
from grassroots.areas.models import Level
from grassroots.bulletins import channels
from grassroots.bulletins.channels import ChannelEvent, Event

from . import actions

logger = logging.getLogger(__name__)


def _bulletin(bulletin_id: int):
    from grassroots.bulletins.models import Bulletin

    return (
        Bulletin.objects.select_related("issuing_area").filter(pk=bulletin_id).first()
    )


def on_bulletin(event: ChannelEvent) -> None:
    """Turn a bulletin event into programme changes (run after the bulletin's commit)."""
    if event.level == "emergency":
        return
    with audit.acting_as(audit.Origin(source="system")):
        if event.event in (Event.WITHDRAWN, Event.EXPIRED):
            actions.take_off_air(event.bulletin_id, event.event)
            return
        bulletin = _bulletin(event.bulletin_id)
        if bulletin is None:
            return
        if event.event == Event.UPDATED:
            actions.refresh_bulletin(bulletin)
            return
        queue = event.event == Event.ADOPTED or (
            event.event == Event.PUBLISHED
            and (
                event.level == "priority"
                or bulletin.issuing_area.level >= Level.COMMUNE
            )
        )
        if not queue:
            return
        communes = actions.communes_of(event.commune_ids)
        if not communes and bulletin.issuing_area.level == Level.HAMLET:
            communes = [bulletin.issuing_area.parent]
        actions.queue_bulletin(bulletin, communes)


def register() -> None:
    channels.register(channels.Channel.LOUDSPEAKERS, on_bulletin)
