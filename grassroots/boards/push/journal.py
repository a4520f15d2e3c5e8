"""Write the push journal from inside the actions' transactions.

A row becomes visible to the hubs when the transaction commits, and not at
all if it rolls back: nothing here runs "on commit".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ..models import Match, PushEvent, PushKind


def token_fingerprint(token: str | None) -> str:
    """Return a short hash of a player token, to address one connection of a board."""
    return hashlib.sha256((token or "").encode()).hexdigest()[:16]


def refresh_areas(
    paths: Iterable[str], *, related: bool = False, reason: str = ""
) -> None:
    """Tell the boards under ``paths`` (and above them, if ``related``) to re-read."""
    match = Match.RELATED if related else Match.UNDER
    PushEvent.objects.bulk_create(
        [
            PushEvent(
                kind=PushKind.REFRESH,
                area_path=path,
                match=match,
                payload={"reason": reason},
            )
            for path in sorted(set(paths))
        ]
    )


def refresh_board(board_id: int, *, reason: str = "") -> None:
    PushEvent.objects.create(
        kind=PushKind.REFRESH, board_id=board_id, payload={"reason": reason}
    )


def takeover(paths: Iterable[str], message: dict[str, Any]) -> None:
    PushEvent.objects.bulk_create(
        [
            PushEvent(kind=PushKind.TAKEOVER, area_path=path, payload=message)
            for path in sorted(set(paths))
        ]
    )


def release(paths: Iterable[str], emergency_id: str) -> None:
    PushEvent.objects.bulk_create(
        [
            PushEvent(
                kind=PushKind.RELEASE, area_path=path, payload={"id": emergency_id}
            )
            for path in sorted(set(paths))
        ]
    )


def revoked(board_id: int, old_token: str | None) -> None:
    """Close the connections a board opened with ``old_token``, at once."""
    PushEvent.objects.create(
        kind=PushKind.REVOKED,
        board_id=board_id,
        payload={"token": token_fingerprint(old_token)},
    )


def command(board_id: int, name: str) -> None:
    PushEvent.objects.create(
        kind=PushKind.COMMAND, board_id=board_id, payload={"command": name}
    )
