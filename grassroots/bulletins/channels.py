"""Where a published bulletin goes: a small registry of channel handlers.

Each channel (the portal, loudspeakers, e-bulletin boards, …) registers one
handler, usually in its app's ``AppConfig.ready()``::

    from grassroots.bulletins import channels

    def on_bulletin(event: channels.ChannelEvent) -> None:
        ...  # load what you need by id; queue slow work as a huey job

    channels.register("loudspeakers", on_bulletin)

The bulletin actions call :func:`dispatch` inside their transaction; the
handlers run after it commits (``transaction.on_commit``), once per event,
with ids only. A handler that raises is logged and does not stop the others.
Handlers must be quick: they run in the process that made the change (the web
request of the approver, or the worker). Emergencies are the exception that
justifies acting at once (publish to devices straight from the handler).

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

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from .models import Channel  # noqa: F401 - re-exported for handlers

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


def dispatch(event: ChannelEvent, channels: Iterable[str]) -> None:
    """Call the handlers of ``channels`` with ``event`` once the transaction commits."""
    wanted = tuple(dict.fromkeys(channels))

    def run() -> None:
        for channel in wanted:
            for handler in handlers_for(channel):
                try:
                    handler(event)
                except Exception:  # noqa: BLE001 - one channel must not block the others
                    logger.exception(
                        "Channel %s failed on %s of bulletin %s",
                        channel,
                        event.event,
                        event.bulletin_id,
                    )

    transaction.on_commit(run)
