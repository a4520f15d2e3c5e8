"""Where a published bulletin goes: a small registry of channel handlers.

Each channel (the portal, loudspeakers, e-bulletin boards, …) registers one
handler, usually in its app's ``AppConfig.ready()``::

    from grassroots.bulletins import channels

    def on_bulletin(event: channels.ChannelEvent) -> None:
        ...  # load what you need by id; queue slow work as a huey job

    channels.register("loudspeakers", on_bulletin)

The bulletin actions call :func:`dispatch` inside their transaction: it
writes the event to the outbox (``ChannelDelivery``) in that same
transaction, so an event exists exactly when its change was committed. After
the commit the worker delivers it (a job queued at once, and a sweep every
minute for whatever that job missed), calling each handler of the event's
channels once, with ids only; emergencies are delivered at once in the
process that made the change, without waiting for the worker. A handler that
raises is called again later (5, 10, 20 … s, up to ``MAX_ATTEMPTS`` times);
the others are not held up and not called twice. Past the limit the event is
``failed``: the console's home page shows it to administrators. So handlers
must be idempotent (a delivery that crashed half-way comes again) and quick
(load by id, queue slow work as a huey job).

A withdrawal or an expiry supersedes the events of that bulletin still
waiting for the same channels: nothing is put on the air to be taken off
again. And the loudspeakers' schedule compiler airs only bulletins public
now, so even an event that never arrives cannot keep a withdrawn bulletin
on the air.

Events:

- ``published``: the bulletin became public (approved and valid);
- ``updated``: a new version of a public bulletin was approved;
- ``withdrawn``: an approver withdrew it; remove it everywhere at once;
- ``expired``: its validity ended; remove it everywhere;
- ``adopted``: one commune adopted a normal bulletin from above for airing
  (``commune_ids`` holds that commune only).

``published``, ``updated``, ``withdrawn`` and ``expired`` go to the channels
the bulletin is on (``Bulletin.channels``) — withdrawn and expired also to the
ones it was on before its last change, so nothing is left behind; ``adopted``
goes to the loudspeakers and boards.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Channel  # noqa: F401 - re-exported for handlers

if TYPE_CHECKING:
    from .models import ChannelDelivery

logger = logging.getLogger(__name__)


class Event(models.TextChoices):
    PUBLISHED = "published"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ADOPTED = "adopted"


@dataclass(frozen=True)
class ChannelEvent:
    """What happened to which bulletin, and where it is meant to be heard."""

    event: str
    bulletin_id: int
    #: Priority level: "normal", "priority" or "emergency".
    level: str
    #: Every commune the bulletin reaches (for a commune's own bulletin, that commune).
    commune_ids: tuple[int, ...]
    #: The areas the author targeted (province, communes or hamlets).
    target_area_ids: tuple[int, ...] = ()
    #: The Wagtail revision now live (None when it left every channel).
    revision_id: int | None = None
    channels: tuple[str, ...] = field(default_factory=tuple)


Handler = Callable[[ChannelEvent], None]
_handlers: dict[str, list[Handler]] = {}


def register(channel: str, handler: Handler) -> None:
    """Call ``handler`` for every event of bulletins on ``channel``."""
    handlers = _handlers.setdefault(channel, [])
    if handler not in handlers:
        handlers.append(handler)


def unregister(channel: str, handler: Handler) -> None:
    """Stop calling ``handler`` (tests use this to clean up)."""
    if handler in _handlers.get(channel, []):
        _handlers[channel].remove(handler)


def handlers_for(channel: str) -> list[Handler]:
    return list(_handlers.get(channel, []))


#: Deliveries tried before an event is shown to administrators as failed.
MAX_ATTEMPTS = 8
RETRY_FIRST_S = 5.0
RETRY_MAX_S = 3600.0
#: A delivery is leased, not locked: the lease is renewed before each
#: handler, so one taken by a process that died (a worker killed mid-job) is
#: taken again within this time, and a long delivery is not taken twice.
CLAIM_S = 60.0


def _key(handler: Handler) -> str:
    """Name a handler the same way in every process (functions defined at module level)."""
    name = getattr(handler, "__qualname__", None)
    if name is None or "<locals>" in name or "<lambda>" in name:
        name = f"{type(handler).__qualname__}@{id(handler):x}"
    return f"{getattr(handler, '__module__', '')}.{name}"


def dispatch(event: ChannelEvent, channels: Iterable[str]) -> ChannelDelivery:
    """Write ``event`` to the outbox for ``channels``; deliver it after the commit."""
    from .models import ChannelDelivery, DeliveryState

    wanted = list(dict.fromkeys(str(c) for c in channels))
    if event.event in (Event.WITHDRAWN, Event.EXPIRED):
        waiting = ChannelDelivery.objects.filter(
            bulletin_id=event.bulletin_id, state=DeliveryState.PENDING
        )
        superseded = [row.pk for row in waiting if set(row.deliver_to) <= set(wanted)]
        if superseded:
            ChannelDelivery.objects.filter(pk__in=superseded).update(
                state=DeliveryState.SUPERSEDED
            )
    row = ChannelDelivery.objects.create(
        bulletin_id=event.bulletin_id,
        event=event.event,
        level=event.level,
        commune_ids=list(event.commune_ids),
        target_area_ids=list(event.target_area_ids),
        revision_id=event.revision_id,
        channels=list(event.channels),
        deliver_to=wanted,
    )
    urgent = event.level == "emergency"
    transaction.on_commit(lambda: _after_commit(row.pk, urgent=urgent))
    return row


def _after_commit(pk: int, *, urgent: bool) -> None:
    if urgent:
        # Emergencies do not wait for the worker's queue.
        deliver([pk])
        return
    from . import tasks

    try:
        tasks.deliver_channel_events([pk])
    except Exception:  # noqa: BLE001 - the queue being down must not fail the request
        logger.exception(
            "channel event %s not queued; the minute sweep will take it", pk
        )


def event_of(row: ChannelDelivery) -> ChannelEvent:
    return ChannelEvent(
        event=row.event,
        bulletin_id=row.bulletin_id,
        level=row.level,
        commune_ids=tuple(row.commune_ids),
        target_area_ids=tuple(row.target_area_ids),
        revision_id=row.revision_id,
        channels=tuple(row.channels),
    )


def _claim(pk: int, now: datetime.datetime) -> bool:
    from .models import ChannelDelivery, DeliveryState

    return bool(
        ChannelDelivery.objects.filter(pk=pk, state=DeliveryState.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + datetime.timedelta(seconds=CLAIM_S),
            attempts=F("attempts") + 1,
        )
    )


def _renew(pk: int) -> None:
    from .models import ChannelDelivery

    ChannelDelivery.objects.filter(pk=pk).update(
        claimed_until=timezone.now() + datetime.timedelta(seconds=CLAIM_S)
    )


def due(now: datetime.datetime | None = None):
    """Return the deliveries waiting whose time has come."""
    from .models import ChannelDelivery, DeliveryState

    now = now or timezone.now()
    return (
        ChannelDelivery.objects.filter(state=DeliveryState.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def deliver(ids: Iterable[int] | None = None, *, limit: int = 500) -> int:
    """Deliver the given outbox rows (or every one due); return how many were delivered.

    Each row is claimed first, so two workers never deliver it at once.
    """
    from .models import ChannelDelivery, DeliveryState

    now = timezone.now()
    rows = due(now) if ids is None else ChannelDelivery.objects.filter(pk__in=ids)
    delivered = 0
    for pk in list(rows.order_by("pk").values_list("pk", flat=True)[:limit]):
        if not _claim(pk, now):
            continue
        row = ChannelDelivery.objects.get(pk=pk)
        event = event_of(row)
        done = list(row.done)
        errors: list[str] = []
        seen: set[str] = set()
        for channel in row.deliver_to:
            for handler in handlers_for(channel):
                key = _key(handler)
                if key in seen or key in done:
                    continue
                seen.add(key)
                _renew(pk)
                try:
                    with transaction.atomic():
                        handler(event)
                except Exception as exc:  # noqa: BLE001 - one handler must not block the others
                    logger.exception(
                        "Channel %s failed on %s of bulletin %s (attempt %d)",
                        channel,
                        event.event,
                        event.bulletin_id,
                        row.attempts,
                    )
                    errors.append(f"{key}: {exc!r}"[:500])
                else:
                    done.append(key)
        finished = timezone.now()
        update: dict = {"done": done, "claimed_until": None}
        if not errors:
            update |= {
                "state": DeliveryState.DELIVERED,
                "delivered_at": finished,
                "last_error": "",
            }
            delivered += 1
        elif row.attempts >= MAX_ATTEMPTS:
            update |= {"state": DeliveryState.FAILED, "last_error": "\n".join(errors)}
            logger.error(
                "Channel event %s (%s of bulletin %s) failed %d times; given up",
                row.pk,
                row.event,
                row.bulletin_id,
                row.attempts,
            )
        else:
            wait = min(RETRY_FIRST_S * 2 ** (row.attempts - 1), RETRY_MAX_S)
            update |= {
                "next_attempt_at": finished + datetime.timedelta(seconds=wait),
                "last_error": "\n".join(errors),
            }
        ChannelDelivery.objects.filter(pk=row.pk).update(**update)
    return delivered
