"""Playable ids that say which bulletin an item airs, and items the server built.

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

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.http import Http404

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
    item_id = f"{bulletin_prefix(bulletin_id)}{origin}:{ref}"
    if not _BULLETIN_ITEM.match(item_id) or len(item_id) > 64:
        raise ValueError(f"not a valid playable id: {item_id!r}")
    return item_id


def bulletin_prefix(bulletin_id: int | None = None) -> str:
    """Return the start of every playable id of bulletin ``bulletin_id`` (of any, if None).

    For prefix look-ups on an index (``item__startswith``) or in a document.
    """
    return "bul:" if bulletin_id is None else f"bul:{int(bulletin_id)}:"


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


# Items the server built ----------------------------------------------------------


@dataclass(frozen=True)
class ServerPlayable:
    """A playable the server built from its own records, for "play now".

    ``send_command`` plays nothing else: a programme item's playable (built by
    the broadcasts app's play-now action, with its rules) or the test tone.
    JSON from a client never becomes one, so no request can hand the devices
    an item of its own making (an emergency priority, a foreign file, a day
    of repeats).
    """

    data: Mapping[str, Any]
    #: Set only by an action that applied the emergency rules itself (a live
    #: emergency: the capability on every area and the second factor), so
    #: such an item may play now at emergency priority.
    emergency_checked: bool = False


TEST_TONE = "loudspeakers/audio/test-tone.mp3"


@cache
def _tone_digest() -> tuple[str, int]:
    from django.contrib.staticfiles import finders

    found = finders.find(TEST_TONE)
    if not found:
        raise Http404("test tone missing")
    data = Path(found).read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def test_tone() -> ServerPlayable:
    """Return the test chime served with the static files, as a playable."""
    from django.conf import settings
    from django.templatetags.static import static
    from django.utils.translation import gettext as _

    sha, size = _tone_digest()
    return ServerPlayable(
        {
            "id": "test-tone",
            "title": _("Test tone"),
            "priority": "normal",
            "audio": {
                "url": settings.GRASSROOTS_BASE_URL.rstrip("/") + static(TEST_TONE),
                "sha256": sha,
                "bytes": size,
                "duration_s": 2.1,
            },
        }
    )
