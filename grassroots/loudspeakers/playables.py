"""Playable ids that say which bulletin an item airs, so proof of play can find it.

A play event from a device names only the playable's id (protocol: at most 64
characters of ``[A-Za-z0-9_.:-]``). Every playable sent for a bulletin — a
scheduled programme item, a "play now", an emergency — carries an id of the
form ``bul:{bulletin}:{origin}:{ref}``, so the coverage of a bulletin is read
from the play events without a lookup table, and a device's own items (an
uploaded recording, a relay) simply have no bulletin. A live broadcast is
``live:{session}``, or ``bul:{bulletin}:live:{session}`` when the speaker
reads a bulletin out.
"""

from __future__ import annotations

import re

#: What put the item on the device.
PROGRAMME = "prog"
PLAY_NOW = "now"
EMERGENCY = "emg"
LIVE = "live"
ORIGINS = (PROGRAMME, PLAY_NOW, EMERGENCY, LIVE)

_BULLETIN_ITEM = re.compile(
    r"^bul:(\d{1,18}):(prog|now|emg|live):([A-Za-z0-9_.:-]{1,40})$"
)
_LIVE_ITEM = re.compile(r"^(?:bul:\d{1,18}:)?live:(\d{1,18})$")


def bulletin_item_id(bulletin_id: int, origin: str, ref: str | int) -> str:
    """Return the playable id for bulletin ``bulletin_id`` put on air by ``origin``."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    item_id = f"bul:{int(bulletin_id)}:{origin}:{ref}"
    if not _BULLETIN_ITEM.match(item_id) or len(item_id) > 64:
        raise ValueError(f"not a valid playable id: {item_id!r}")
    return item_id


def live_item_id(session_id: int) -> str:
    """Return the playable id of a live broadcast that reads no bulletin."""
    return f"live:{int(session_id)}"


def live_session_of(item_id: str) -> int | None:
    """Return the live broadcast a playable id airs, or None for any other item."""
    match = _LIVE_ITEM.match(item_id or "")
    return int(match.group(1)) if match else None


def bulletin_of(item_id: str) -> int | None:
    """Return the bulletin a playable id airs, or None for any other item."""
    match = _BULLETIN_ITEM.match(item_id or "")
    return int(match.group(1)) if match else None


def origin_of(item_id: str) -> str | None:
    """Return what put a bulletin's item on air (``prog``, ``now``, ``emg``, ``live``).

    None for an item that airs no bulletin.
    """
    match = _BULLETIN_ITEM.match(item_id or "")
    return match.group(2) if match else None
