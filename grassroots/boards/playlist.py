"""What one board shows: its playlist, as the player (and the console preview) reads it.

The playlist is the whole truth for a player: when it reconnects it reads
this again and forgets anything that is no longer in it (a withdrawn
bulletin, a removed item). Day-parting is decided by the player from the
rules given here, so that a board cut off from the server still changes
items at the right hour.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import nh3
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format

from grassroots.bulletins import public
from grassroots.bulletins.models import AttachmentKind, Bulletin, Status

from .models import AllowedOrigin, Board, BoardItem, ItemKind, Takeover

#: Bulletins on one board at most (the newest of each level first).
MAX_BULLETINS = 30
#: Items starting this many days ahead are sent already, for boards offline then.
LOOKAHEAD_DAYS = 7
#: A bulletin body on a board keeps structure only: no links (nobody can
#: click a board), no attributes at all.
BOARD_TAGS = {"p", "br", "h2", "h3", "b", "strong", "i", "em", "ol", "ul", "li", "hr"}
LEVEL_ORDER = Case(
    When(level="emergency", then=Value(0)),
    When(level="priority", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def board_body(html: str) -> str:
    """Return a bulletin body reduced to the structure a board shows."""
    return nh3.clean(html or "", tags=BOARD_TAGS, attributes={}, strip_comments=True)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def bulletins_for(board: Board, now: datetime | None = None) -> QuerySet[Bulletin]:
    """Return the published bulletins meant for the board's area, on the board channel."""
    now = now or timezone.now()
    queryset = Bulletin.objects.filter(
        status=Status.PUBLISHED, live=True, on_boards=True, valid_from__lte=now
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    return public.relevant_to(queryset, board.area)


def items_for(board: Board, today=None) -> QuerySet[BoardItem]:
    """Return the board's own items still to be shown, in order."""
    today = today or timezone.localdate()
    return (
        BoardItem.objects.filter(enabled=True, area__path__in=board.area.ancestor_paths)
        .filter(Q(boards__isnull=True) | Q(boards=board))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(
            Q(start_date__isnull=True)
            | Q(start_date__lte=today + timedelta(days=LOOKAHEAD_DAYS))
        )
        .distinct()
        .order_by("position", "pk")
    )


def allowed_origins(board: Board) -> set[str]:
    province = board.area.ancestor_paths[0]
    return set(
        AllowedOrigin.objects.filter(province__path=province).values_list(
            "origin", flat=True
        )
    )


def takeovers_for(board: Board) -> list[Takeover]:
    return list(
        Takeover.objects.active().for_path(board.area.path).order_by("-started_at")
    )


def _schedule(item: BoardItem) -> dict[str, Any]:
    return {
        "weekdays": item.weekdays,
        "start_time": item.start_time.strftime("%H:%M") if item.start_time else None,
        "end_time": item.end_time.strftime("%H:%M") if item.end_time else None,
        "start_date": item.start_date.isoformat() if item.start_date else None,
        "end_date": item.end_date.isoformat() if item.end_date else None,
    }


def _item_entry(item: BoardItem, base: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": item.key,
        "kind": item.kind,
        "id": item.pk,
        "title": item.title,
        "duration_s": item.duration_s,
        "schedule": _schedule(item),
    }
    if item.kind in (ItemKind.IMAGE, ItemKind.VIDEO):
        entry["src"] = f"{base}media/item/{item.pk}/{item.sha256[:12]}"
    elif item.kind == ItemKind.TEXT:
        entry["text"] = item.text
    elif item.kind == ItemKind.WEBPAGE:
        entry["src"] = item.url
    return entry


def _bulletin_entry(bulletin: Bulletin, base: str) -> dict[str, Any]:
    published = bulletin.first_published_at or bulletin.valid_from
    images = [
        {
            "src": f"{base}media/attachment/{a.pk}/{a.sha256[:12]}",
            "caption": a.label,
        }
        for a in bulletin.attachments.all()
        if a.kind == AttachmentKind.IMAGE
    ]
    return {
        "key": f"bulletin:{bulletin.pk}",
        "kind": "bulletin",
        "id": bulletin.pk,
        "level": bulletin.level,
        "level_label": str(bulletin.get_level_display()),
        "category": str(bulletin.category),
        "title": bulletin.title,
        "summary": bulletin.summary,
        "body": board_body(bulletin.body),
        "agency": bulletin.issuing_agency or str(bulletin.issuing_area),
        "published": date_format(timezone.localtime(published), "d/m/Y"),
        "valid_until": bulletin.valid_until.isoformat()
        if bulletin.valid_until
        else None,
        "images": images,
    }


def build(board: Board, *, base: str, now: datetime | None = None) -> dict[str, Any]:
    """Return the board's playlist; ``base`` is the URL prefix of its media."""
    now = now or timezone.now()
    origins = allowed_origins(board)
    entries: list[dict[str, Any]] = []
    ticker: list[dict[str, Any]] = []
    for item in items_for(board, timezone.localdate(now)):
        if item.kind == ItemKind.TICKER:
            ticker.append({"text": item.title, "schedule": _schedule(item)})
        elif item.kind == ItemKind.WEBPAGE and origin_of(item.url) not in origins:
            continue  # not (or no longer) on the province's list of sites
        else:
            entries.append(_item_entry(item, base))
    if board.show_bulletins:
        bulletins = (
            bulletins_for(board, now)
            .select_related("category", "issuing_area")
            .prefetch_related("attachments")
            .annotate(level_rank=LEVEL_ORDER)
            .order_by("level_rank", "-first_published_at", "-pk")[:MAX_BULLETINS]
        )
        entries.extend(_bulletin_entry(b, base) for b in bulletins)
    width, height = board.viewport
    content = {
        "board": {
            "code": board.code,
            "name": board.name,
            "location": board.location,
            "area": board.area.name,
            "orientation": board.orientation,
            "width": width,
            "height": height,
            "page_seconds": board.page_seconds,
        },
        "emergencies": [t.as_message() for t in takeovers_for(board)],
        "entries": entries,
        "ticker": ticker,
        "frame_origins": sorted(
            {origin_of(e["src"]) for e in entries if e["kind"] == ItemKind.WEBPAGE}
        ),
    }
    media = [e["src"] for e in entries if e["kind"] in ("image", "video")]
    media += [i["src"] for e in entries for i in e.get("images", [])]
    return {
        "version": version_of_content(content),
        "server_time": now.isoformat(),
        "utc_offset_minutes": int(
            (timezone.localtime(now).utcoffset() or timedelta()).total_seconds() // 60
        ),
        **content,
        "media": media,
    }


def version_of_content(content: dict[str, Any]) -> str:
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def version(board: Board) -> str:
    """Return the version of the board's playlist (the push stream's hello)."""
    return build(board, base=board.player_path or "/")["version"]
