"""What a command may carry: fixed arguments, or an item the server built.

``send_command`` is the one way a command reaches a device, from the console,
the API or another app. It accepts the fixed commands with exactly their
arguments, and "play now" only of a :class:`~..playables.ServerPlayable`
within the rules of playing now: never at emergency priority (emergencies go
through the emergencies app, with its second factor and its retained lists),
audio only from this server, a bounded length. Whatever a caller hands in,
a device never receives more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import CommandAction
from ..playables import ServerPlayable

#: Priorities "play now" may use; emergencies have their own path.
PLAY_NOW_PRIORITIES = ("normal", "priority")
#: At most this many airings of one item played now.
PLAY_NOW_MAX_REPEAT = 5
#: At most this long on the air, repeats and pauses included (longer relays
#: are scheduled, where clashes are checked).
PLAY_NOW_MAX_S = 4 * 3600
#: Each fixed command's arguments.
ARGUMENTS: dict[str, frozenset[str]] = {
    CommandAction.STOP: frozenset({"item"}),
    CommandAction.VOLUME: frozenset({"level"}),
    CommandAction.POWER: frozenset({"on"}),
    CommandAction.REBOOT: frozenset(),
    CommandAction.SYNC: frozenset(),
}
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def _invalid(message: str) -> ValidationError:
    return ValidationError(
        _("The command's details are not valid: %(detail)s") % {"detail": message}
    )


def checked_args(action: str, args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the arguments to send for ``action``, or raise ``ValidationError``."""
    args = dict(args or {})
    if action == CommandAction.PLAY_NOW:
        item = args.pop("item", None)
        if args or not isinstance(item, ServerPlayable):
            raise _invalid(
                _(
                    "only an item the system prepared plays now: a programme item "
                    "(through “play now”) or the test tone"
                )
            )
        return {"item": checked_item(item)}
    unknown = sorted(set(args) - ARGUMENTS[action])
    if unknown:
        raise _invalid(
            _("unexpected arguments: %(names)s") % {"names": ", ".join(unknown)}
        )
    if action == CommandAction.VOLUME:
        level = args.get("level")
        if (
            isinstance(level, bool)
            or not isinstance(level, int)
            or not 0 <= level <= 100
        ):
            raise _invalid(_("the volume is a whole number from 0 to 100"))
    if action == CommandAction.POWER and not isinstance(args.get("on"), bool):
        raise _invalid(_("say whether the amplifier goes on or off"))
    if action == CommandAction.STOP and "item" in args:
        if not isinstance(args["item"], str) or not _ITEM_ID.match(args["item"]):
            raise _invalid(_("the item to stop is not a valid identifier"))
    return args


def _own(url: str) -> bool:
    """Return True if ``url`` is served by this system (its site or its media)."""
    bases = [settings.GRASSROOTS_BASE_URL, settings.MEDIA_URL]
    target = urlsplit(url)
    for base in bases:
        own = urlsplit(base)
        if (
            own.scheme
            and own.netloc
            and (target.scheme, target.netloc)
            == (
                own.scheme,
                own.netloc,
            )
        ):
            return True
    return False


def _own_stream(url: str) -> bool:
    """Return True if ``url`` is on this system's own stream server (live sessions)."""
    base = settings.GRASSROOTS_STREAM_URL.rstrip("/")
    return bool(base) and url.startswith(base + "/")


def checked_item(item: ServerPlayable) -> dict[str, Any]:
    """Return the item's protocol playable if it keeps the rules of playing now."""
    data = dict(item.data)
    allowed = PLAY_NOW_PRIORITIES + (("emergency",) if item.emergency_checked else ())
    if data.get("priority") not in allowed:
        raise _invalid(
            _("emergencies are broadcast from the emergency page, not played now")
        )
    audio = data.get("audio")
    if audio is not None and not _own(str(audio.get("url", ""))):
        raise _invalid(_("the audio must come from this system"))
    live = data.get("live")
    if live is not None and not _own_stream(str(live.get("url", ""))):
        raise _invalid(_("a live stream must come from this system's stream server"))
    repeat = int(data.get("repeat", 1) or 1)
    if not 1 <= repeat <= PLAY_NOW_MAX_REPEAT:
        raise _invalid(
            _("an item plays now at most %(n)d times") % {"n": PLAY_NOW_MAX_REPEAT}
        )
    length = float(
        data.get("duration_s") or (audio or {}).get("duration_s") or 0
    ) * repeat + float(data.get("gap_s", 0) or 0) * (repeat - 1)
    if length > PLAY_NOW_MAX_S:
        raise _invalid(
            _("playing now lasts at most %(h)d hours; schedule longer relays")
            % {"h": PLAY_NOW_MAX_S // 3600}
        )
    return data
