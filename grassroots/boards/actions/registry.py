"""The board registry: register and change boards, and keep their player addresses."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level

from ..models import Board, BoardChange, BoardState, BoardStatus, new_token
from ..push import journal

#: Fields of the registry staff set (state and its date are handled apart).
BOARD_FIELDS = (
    "code",
    "name",
    "place",
    "location",
    "latitude",
    "longitude",
    "screen_size_in",
    "width_px",
    "height_px",
    "orientation",
    "page_seconds",
    "show_bulletins",
)
#: Commands a player understands.
COMMANDS = ("screenshot", "reload")


def require(actor: Actor, capability: str, area: Area | str | None) -> None:
    """Refuse unless ``actor`` may; ``None`` is the system (commands, demo, channels)."""
    if actor is None:
        return
    scope.require(actor, capability, area)


def commune_of(area: Area) -> Area | None:
    if area.level == Level.COMMUNE:
        return area
    if area.level == Level.HAMLET:
        return area.parent
    return None


def _check_area(area: Area) -> None:
    if not area.is_active:
        raise ValidationError({"area": _("This area is no longer active.")})


def _check_day(day: datetime.date, board: Board | None) -> None:
    if day > timezone.localdate():
        raise ValidationError({"state_since": _("The date cannot be in the future.")})
    if board is not None:
        last = board.changes.order_by("-effective_on", "-pk").first()
        if last is not None and day < last.effective_on:
            raise ValidationError(
                {
                    "state_since": _(
                        "The board's last change was on %(day)s; a new one cannot "
                        "be dated before it."
                    )
                    % {"day": last.effective_on.strftime("%d/%m/%Y")}
                }
            )


def _history(board: Board, day: datetime.date) -> None:
    BoardChange.objects.create(
        board=board,
        effective_on=day,
        state=board.state,
        place=board.place,
        area=board.area,
        commune=commune_of(board.area),
    )
    if day < timezone.localdate().replace(day=1):
        from grassroots.indicators.snapshots import mark_stale

        mark_stale(["commune_boards"], board.area, since=day)


@transaction.atomic
def register_board(
    actor: Actor,
    *,
    area: Area,
    state: str = BoardState.ACTIVE,
    state_since: datetime.date | None = None,
    **fields: Any,
) -> Board:
    """Add a board to the registry, with its own player address."""
    require(actor, Capability.MANAGE_DEVICES, area)
    _check_area(area)
    day = state_since or timezone.localdate()
    _check_day(day, None)
    unknown = set(fields) - set(BOARD_FIELDS)
    if unknown:
        raise TypeError(f"unknown board fields: {sorted(unknown)}")
    board = Board(area=area, state=state, state_since=day, **fields)
    board.full_clean()
    board.save()
    BoardStatus.objects.create(board=board)
    _history(board, day)
    audit.record(
        "board.register",
        actor,
        board,
        data={"code": board.code, "state": state, "since": day.isoformat()},
    )
    return board


@transaction.atomic
def change_board(
    actor: Actor,
    board: Board,
    *,
    area: Area,
    state: str,
    state_since: datetime.date | None = None,
    **fields: Any,
) -> Board:
    """Change a board; a new state, place or area is dated and kept in its history."""
    board = Board.objects.select_for_update().select_related("area").get(pk=board.pk)
    require(actor, Capability.MANAGE_DEVICES, board.area)
    require(actor, Capability.MANAGE_DEVICES, area)
    if area.pk != board.area_id:
        _check_area(area)
    old = {name: getattr(board, name) for name in (*BOARD_FIELDS, "state", "area_id")}
    old_path, old_token = board.area.path, board.player_token
    for name, value in fields.items():
        if name not in BOARD_FIELDS:
            raise TypeError(f"unknown board field: {name}")
        setattr(board, name, value)
    board.area, board.state = area, state
    changed = [
        name
        for name in (*BOARD_FIELDS, "state", "area_id")
        if getattr(board, name) != old[name]
    ]
    if not changed:
        return board
    dated = {"state", "place", "area_id"} & set(changed)
    day = state_since or timezone.localdate()
    if dated:
        _check_day(day, board)
        if "state" in changed:
            board.state_since = day
    board.full_clean()
    board.save()
    if dated:
        _history(board, day)
    audit.record(
        "board.change",
        actor,
        board,
        data={
            "fields": changed,
            **({"since": day.isoformat()} if dated else {}),
        },
    )
    if state == BoardState.RETIRED and old["state"] != BoardState.RETIRED:
        journal.revoked(board.pk, old_token)  # a retired board's address stops at once
    elif "area_id" in changed:
        journal.command(board.pk, "reconnect")  # listen under the new area
        journal.refresh_areas([old_path, board.area.path])
    else:
        journal.refresh_board(board.pk, reason="board")
    return board


@transaction.atomic
def rotate_address(actor: Actor, board: Board) -> Board:
    """Give the board a new player address; the old one stops working at once."""
    board = Board.objects.select_for_update().select_related("area").get(pk=board.pk)
    require(actor, Capability.MANAGE_DEVICES, board.area)
    old_token = board.player_token
    board.player_token = new_token()
    board.token_issued_at = timezone.now()
    board.save(update_fields=["player_token", "token_issued_at", "updated_at"])
    audit.record(
        "board.rotate_address", actor, board, data={"had_address": bool(old_token)}
    )
    if old_token:
        journal.revoked(board.pk, old_token)
    return board


@transaction.atomic
def revoke_address(actor: Actor, board: Board) -> Board:
    """Take the board's player address away; its screen stops within a second."""
    board = Board.objects.select_for_update().select_related("area").get(pk=board.pk)
    require(actor, Capability.MANAGE_DEVICES, board.area)
    old_token = board.player_token
    if old_token is None:
        return board
    board.player_token = None
    board.token_issued_at = timezone.now()
    board.save(update_fields=["player_token", "token_issued_at", "updated_at"])
    audit.record("board.revoke_address", actor, board)
    journal.revoked(board.pk, old_token)
    return board


@transaction.atomic
def send_command(actor: Actor, board: Board, command: str) -> None:
    """Ask the player for a screenshot now, or to reload itself (after an update)."""
    require(actor, Capability.COMMAND_DEVICES, board.area)
    if command not in COMMANDS:
        raise ValidationError(_("Unknown command: %(command)s") % {"command": command})
    if board.player_token is None or board.state == BoardState.RETIRED:
        raise PermissionDenied(_("This board has no working player address."))
    audit.record("board.command", actor, board, data={"command": command})
    journal.command(board.pk, command)
