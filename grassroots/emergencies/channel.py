"""Emergency bulletins on the loudspeaker channel go on the air by themselves.

The approval of an emergency-level bulletin is the human decision: once it
is published on the loudspeakers, every cluster of its target areas airs it
at once (an emergency started by the bulletin). A new approved version
updates it; withdrawn, expired, or no longer an emergency on the
loudspeakers, it is cancelled.

Registered on every channel (apps.py), like the boards' handler: an update
that takes a bulletin off the loudspeakers is dispatched to its remaining
channels only. One dispatch calls each channel's handlers with the same
event object, so the handler acts once per event.
"""

from __future__ import annotations

import logging
from collections import deque

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.accounts import audit
from grassroots.areas.models import Area
from grassroots.bulletins.channels import Channel, ChannelEvent, Event
from grassroots.bulletins.models import Bulletin, Level, Status

from . import actions
from .models import Emergency, Source, State

logger = logging.getLogger(__name__)

_recent: deque[ChannelEvent] = deque(maxlen=32)
SYSTEM = audit.Origin(source=audit.Source.SYSTEM)


def _airs(event: ChannelEvent, bulletin: Bulletin) -> bool:
    return (
        event.event in (Event.PUBLISHED, Event.UPDATED)
        and bulletin.level == Level.EMERGENCY
        and bulletin.on_loudspeakers
        and bulletin.status == Status.PUBLISHED
        and Channel.LOUDSPEAKERS in event.channels
    )


def _areas(event: ChannelEvent, bulletin: Bulletin) -> list[Area]:
    areas = list(Area.objects.filter(pk__in=event.target_area_ids, is_active=True))
    return areas or [bulletin.issuing_area]


def on_bulletin(event: ChannelEvent) -> None:
    """Start, update or cancel the emergency an emergency bulletin puts on the air."""
    if any(seen is event for seen in _recent):
        return
    _recent.append(event)
    if event.event == Event.ADOPTED:
        return
    bulletin = (
        Bulletin.objects.select_related("issuing_area")
        .filter(pk=event.bulletin_id)
        .first()
    )
    if bulletin is None:
        return
    active = Emergency.objects.filter(bulletin=bulletin, state=State.ACTIVE)
    with audit.acting_as(SYSTEM):
        try:
            if _airs(event, bulletin):
                areas = _areas(event, bulletin)
                own = active.filter(source=Source.BULLETIN).first()
                if own is None:
                    actions.start(None, bulletin, areas=areas, source=Source.BULLETIN)
                else:
                    actions.update(
                        None,
                        own,
                        title=bulletin.title,
                        text=actions.text_of(bulletin),
                        areas=areas,
                        clusters=[],
                    )
            elif event.event in (Event.WITHDRAWN, Event.EXPIRED):
                for emergency in active:
                    actions.cancel(None, emergency)
            else:
                for emergency in active.filter(source=Source.BULLETIN):
                    actions.cancel(None, emergency)
        except (ValidationError, PermissionDenied) as exc:
            logger.error(
                "Emergency bulletin %s could not be aired on the loudspeakers: %s",
                bulletin.pk,
                exc,
            )


def on_signing_keys_changed(sender: object, **kwargs: object) -> None:
    """Seal every emergency list again once the old signing key is gone."""
    with audit.acting_as(SYSTEM):
        actions.republish_all_lists()


def on_retained_lost(sender: object, **kwargs: object) -> int:
    """Put every emergency topic's list back on a broker that may have lost it."""
    with audit.acting_as(SYSTEM), transaction.atomic():
        return actions.republish_all_lists()


#: A change younger than this is still being published by the process that made it.
UNSENT_AFTER_S = 3.0


def on_unsent_due(sender: object, **kwargs: object) -> int:
    """Send the lists a web process killed after its commit left unconfirmed.

    The worker's minute job does the same; from the gateway's housekeeping
    an emergency (or its cancellation) reaches devices within seconds.
    """
    with audit.acting_as(SYSTEM):
        return actions.republish_undelivered(older_than_s=UNSENT_AFTER_S)
