"""Builders for board tests: boards, items, display events, played-back reports."""

from __future__ import annotations

import datetime
import uuid
from datetime import timedelta

from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.boards import actions
from grassroots.boards.models import Board, BoardItem, ItemKind

_codes = iter(range(1, 10_000))


def make_board(area: Area, **fields) -> Board:
    """Return an active board at the People's Committee office of ``area``."""
    n = next(_codes)
    defaults = {"code": f"B-{n:03d}", "name": f"Bảng tin thử {n}", "place": "office"}
    state = fields.pop("state", "active")
    since = fields.pop("state_since", None)
    return actions.register_board(
        None, area=area, state=state, state_since=since, **{**defaults, **fields}
    )


def make_item(area: Area, kind: str = ItemKind.TEXT, **fields) -> BoardItem:
    data = {
        "title": "Lịch tiếp công dân",
        "text": "Sáng thứ Năm hằng tuần, tại trụ sở UBND.",
        **fields,
    }
    return actions.save_item(None, actions.ItemContent(area=area, kind=kind, **data))


def shown(key: str, *, ago_s: float = 60, seconds: float = 20, event_id=None):
    """Return a display event as a player reports it (JSON-ready)."""
    start = timezone.now() - timedelta(seconds=ago_s)
    return {
        "id": str(event_id or uuid.uuid4()),
        "key": key,
        "started_at": start.isoformat(),
        "duration_ms": int(seconds * 1000),
    }


def event(key: str, *, at: datetime.datetime | None = None, seconds: float = 20):
    return actions.ShownEvent(
        event_id=uuid.uuid4(),
        key=key,
        started_at=at or timezone.now() - timedelta(minutes=1),
        duration_ms=int(seconds * 1000),
    )
