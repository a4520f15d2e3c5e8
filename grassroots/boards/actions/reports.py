"""What players report: heartbeats, display events (proof of display), screenshots.

A player authenticates with its address only, so everything it says is
checked for plausibility before it is counted: an event names something
this board could have shown at that time, or it is refused with a reason.
An event id seen before is acknowledged and not counted again.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from grassroots.bulletins import public
from grassroots.bulletins.models import Bulletin, Status

from ..models import (
    Board,
    BoardItem,
    BoardStatus,
    BulletinDisplay,
    DisplayEvent,
    ShownKind,
    Takeover,
)

#: Clocks of players and server may differ this much.
CLOCK_SKEW = timedelta(minutes=2)
#: Events older than this are refused (a board offline longer loses them).
MAX_EVENT_AGE = timedelta(days=30)
#: One event covers at most this long; players split longer showings.
MAX_EVENT_MS = 60 * 60 * 1000
MAX_EVENTS_PER_REPORT = 500
SCREENSHOT_MAX_SIDE_PX = 1280


@dataclass(frozen=True)
class ShownEvent:
    event_id: uuid.UUID
    key: str
    started_at: datetime
    duration_ms: int


@dataclass
class ReportResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


def _parse_key(key: str) -> tuple[str, str] | None:
    kind, _sep, ident = key.partition(":")
    if kind not in ShownKind.values or not ident:
        return None
    if kind in (ShownKind.BULLETIN, ShownKind.ITEM) and not ident.isdigit():
        return None
    return kind, ident


class _Context:
    """Everything needed to judge a batch of events, loaded in a few queries."""

    def __init__(self, board: Board, events: list[ShownEvent]):
        keys = [k for k in (_parse_key(e.key) for e in events) if k]
        ids = {kind: {i for k, i in keys if k == kind} for kind in ShownKind.values}
        self.bulletins = {
            b.pk: b
            for b in public.relevant_to(
                Bulletin.objects.filter(
                    pk__in=[int(i) for i in ids[ShownKind.BULLETIN]],
                    status__in=(Status.PUBLISHED, Status.EXPIRED, Status.WITHDRAWN),
                ),
                board.area,
            )
        }
        self.items = {
            i.pk: i
            for i in BoardItem.objects.filter(
                pk__in=[int(i) for i in ids[ShownKind.ITEM]],
                area__path__in=board.area.ancestor_paths,
            )
            .filter(Q(boards__isnull=True) | Q(boards=board))
            .distinct()
        }
        self.takeovers = {
            t.emergency_id: t
            for t in Takeover.objects.for_path(board.area.path).filter(
                emergency_id__in=ids[ShownKind.EMERGENCY]
            )
        }
        self.seen = set(
            DisplayEvent.objects.filter(
                board=board, event_id__in=[e.event_id for e in events]
            ).values_list("event_id", flat=True)
        )


def _judge(event: ShownEvent, ctx: _Context, now: datetime) -> tuple[str | None, dict]:
    """Return (refusal code or None, the fields to store)."""
    parsed = _parse_key(event.key)
    if parsed is None:
        return "unknown_key", {}
    if event.duration_ms <= 0 or event.duration_ms > MAX_EVENT_MS:
        return "bad_duration", {}
    start = event.started_at
    end = start + timedelta(milliseconds=event.duration_ms)
    if end > now + CLOCK_SKEW:
        return "in_the_future", {}
    if start < now - MAX_EVENT_AGE:
        return "too_old", {}
    kind, ident = parsed
    if kind == ShownKind.BULLETIN:
        bulletin = ctx.bulletins.get(int(ident))
        if bulletin is None:
            return "not_for_this_board", {}
        published = bulletin.first_published_at or bulletin.valid_from
        withdrawn = bulletin.withdrawn_at
        if start < published - CLOCK_SKEW or (
            withdrawn and start > withdrawn + CLOCK_SKEW
        ):
            return "not_shown_then", {}
        return None, {"bulletin": bulletin, "title": bulletin.title}
    if kind == ShownKind.ITEM:
        item = ctx.items.get(int(ident))
        if item is None:
            return "not_for_this_board", {}
        return None, {"item": item, "title": item.title}
    takeover = ctx.takeovers.get(ident)
    if takeover is None:
        return "not_for_this_board", {}
    released = takeover.released_at
    if start < takeover.started_at - CLOCK_SKEW or (
        released and start > released + CLOCK_SKEW
    ):
        return "not_shown_then", {}
    return None, {"takeover": takeover, "title": takeover.title}


def _count_bulletins(board: Board, stored: list[DisplayEvent]) -> None:
    for event in stored:
        if event.bulletin_id is None:
            continue
        end = event.started_at + timedelta(milliseconds=event.duration_ms)
        row, created = BulletinDisplay.objects.get_or_create(
            bulletin_id=event.bulletin_id,
            board=board,
            defaults={
                "first_shown_at": event.started_at,
                "last_shown_at": end,
                "total_ms": event.duration_ms,
                "times": 1,
            },
        )
        if not created:
            BulletinDisplay.objects.filter(pk=row.pk).update(
                first_shown_at=Least(F("first_shown_at"), event.started_at),
                last_shown_at=Greatest(F("last_shown_at"), end),
                total_ms=F("total_ms") + event.duration_ms,
                times=F("times") + 1,
            )


@transaction.atomic
def record_report(
    board: Board,
    *,
    events: list[ShownEvent],
    showing_key: str = "",
    showing_title: str = "",
    content_version: str = "",
    viewport: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> ReportResult:
    """Record a player's heartbeat and its display events; return what was kept."""
    now = timezone.now()
    BoardStatus.objects.get_or_create(board=board)
    # One report of a board at a time: the same events sent twice in parallel
    # must still count once.
    status = (
        BoardStatus.objects.select_for_update().defer("screenshot").get(board=board)
    )
    result = ReportResult()
    ctx = _Context(board, events[:MAX_EVENTS_PER_REPORT])
    stored: list[DisplayEvent] = []
    batch_ids: set[uuid.UUID] = set()
    for event in events[:MAX_EVENTS_PER_REPORT]:
        ident = str(event.event_id)
        if event.event_id in ctx.seen or event.event_id in batch_ids:
            result.duplicates.append(ident)
            continue
        refusal, fields = _judge(event, ctx, now)
        if refusal:
            result.rejected.append({"id": ident, "code": refusal})
            continue
        batch_ids.add(event.event_id)
        kind = _parse_key(event.key)[0]  # type: ignore[index]
        stored.append(
            DisplayEvent(
                board=board,
                event_id=event.event_id,
                kind=kind,
                key=event.key[:120],
                title=fields["title"][:255],
                bulletin=fields.get("bulletin"),
                item=fields.get("item"),
                takeover=fields.get("takeover"),
                started_at=event.started_at,
                duration_ms=event.duration_ms,
                received_at=now,
            )
        )
        result.accepted.append(ident)
    DisplayEvent.objects.bulk_create(stored)
    _count_bulletins(board, stored)
    status.last_seen_at = now
    status.ip_address = ip_address
    status.user_agent = user_agent[:255]
    status.content_version = content_version[:32]
    status.showing_key = showing_key[:80]
    status.showing_title = showing_title[:255]
    status.viewport = viewport[:20]
    status.events_received = F("events_received") + len(stored)
    status.save(
        update_fields=[
            "last_seen_at",
            "ip_address",
            "user_agent",
            "content_version",
            "showing_key",
            "showing_title",
            "viewport",
            "events_received",
        ]
    )
    return result


class ScreenshotError(ValueError):
    """The upload is not an image we can read."""


def save_screenshot(board: Board, data: bytes) -> BoardStatus:
    """Keep the board's latest screenshot, re-encoded (nothing of the upload kept as is)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP"):
                raise ScreenshotError("format")
            if probe.width * probe.height > 16_000_000:
                raise ScreenshotError("too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            picture = opened.convert("RGB")
            picture.thumbnail((SCREENSHOT_MAX_SIDE_PX, SCREENSHOT_MAX_SIDE_PX))
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=75, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ScreenshotError("not_an_image") from None
    now = timezone.now()
    with transaction.atomic():
        BoardStatus.objects.get_or_create(board=board)
        BoardStatus.objects.filter(pk=board.pk).update(
            screenshot=out.getvalue(),
            screenshot_type="image/jpeg",
            screenshot_at=now,
            last_seen_at=now,
        )
    return BoardStatus.objects.get(pk=board.pk)
