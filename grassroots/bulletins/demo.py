"""Demo bulletins for Đồng Tháp, in every state, made through the real actions."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE

from . import actions, demo_media, files
from .demo_content import BULLETINS, DECISIONS
from .models import ApiKey, Bulletin, Category, InboxItem, PeerSystem

#: A published demo key for the central system's peer; demo only, never in production.
DEMO_API_KEY = "grk_demo0001_DongThapDemoKeyForTheCentralSystem0000000"  # noqa: S105
DEMO_PEER = "Hệ thống thông tin nguồn trung ương"


def _area(code: str | None) -> Area:
    if code is None:
        return Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    if "/" in code:
        commune, hamlet = code.split("/")
        return Area.objects.get(parent__code=commune, code=hamlet)
    return Area.objects.get(level=Level.COMMUNE, code=code)


def _attachments(entry: dict) -> list:
    made = []
    for kind in entry.get("media", []):
        if kind == "audio":
            data = demo_media.spoken(entry["summary"])
            if data:
                made.append(("canh-bao-lu.wav", data, "Bản tin đọc trên loa"))
        elif kind == "chart":
            made.append(
                (
                    "muc-nuoc.png",
                    demo_media.water_level_chart(),
                    "Biểu đồ mực nước sông Tiền tại Tân Châu trong 5 ngày",
                )
            )
        elif kind == "pdf":
            made.append(
                ("kh-119.pdf", demo_media.plan_pdf(), "Toàn văn Kế hoạch 119/KH-UBND")
            )
    return [
        (files.prepare(io.BytesIO(data), name, len(data)), title)
        for name, data, title in made
    ]


def _create(entry: dict, now) -> Bulletin:
    author = User.objects.get(username=entry["author"])
    issuing = _area(entry["area"])
    targets = [_area(c) for c in entry["targets"]] if entry["targets"] else [issuing]
    valid_from = now - timedelta(days=2)
    if entry.get("starts_in_days"):
        valid_from = now + timedelta(days=entry["starts_in_days"])
    valid_until = (
        now + timedelta(days=entry["valid_days"]) if entry.get("valid_days") else None
    )
    data = actions.BulletinContent(
        title=entry["title"],
        summary=entry["summary"],
        body=entry["body"],
        category=Category.objects.get(slug=entry["category"]),
        level=entry["level"],
        issuing_area=issuing,
        issuing_agency=entry["agency"],
        source_reference=entry["reference"],
        valid_from=valid_from,
        valid_until=valid_until,
        target_areas=targets,
        attachments=_attachments(entry),
    )
    return actions.create_bulletin(author, data)


def _approver(bulletin: Bulletin) -> User:
    """Return the demo approver of the bulletin's level (never its author)."""
    prefix = (bulletin.author.username if bulletin.author else "").split(".")[0]
    return User.objects.get(username=f"{prefix}.duyet")


def _bring_to_state(bulletin: Bulletin, entry: dict) -> None:
    state = entry["state"]
    if state == "draft":
        return
    author = bulletin.author
    actions.submit(author, bulletin)
    if state == "submitted":
        return
    approver = _approver(bulletin)
    if state == "returned":
        actions.return_for_changes(approver, bulletin, comment=entry["comment"])
        return
    actions.approve(approver, bulletin, comment="Đồng ý phát hành.")
    if state == "withdrawn":
        actions.withdraw(approver, bulletin, reason=entry["reason"])
    elif state == "expired":
        Bulletin.objects.filter(pk=bulletin.pk).update(
            valid_until=timezone.now() - timedelta(hours=1)
        )
        actions.expire(bulletin)


def _decisions() -> None:
    for key, commune, username, decision, note in DECISIONS:
        if decision is None:
            continue
        entry = next(e for e in BULLETINS if e["key"] == key)
        item = InboxItem.objects.filter(
            bulletin__title=entry["title"], commune__code=commune
        ).first()
        if item is not None and item.decided_at is None:
            actions.decide(User.objects.get(username=username), item, decision, note)


def _peer() -> None:
    if PeerSystem.objects.filter(name=DEMO_PEER).exists():
        return
    peer = actions.save_peer(
        None,
        name=DEMO_PEER,
        area=_area(None),
        publishes_directly=False,
        contact="Cục Thông tin cơ sở, Bộ Văn hóa, Thể thao và Du lịch (demo)",
    )
    prefix = DEMO_API_KEY.split("_")[1]
    ApiKey.objects.create(
        peer=peer,
        prefix=prefix,
        key_hash=hashlib.sha256(DEMO_API_KEY.encode()).hexdigest(),
    )


def load(out: Callable[[str], None]) -> None:
    now = timezone.now()
    created = 0
    for entry in BULLETINS:
        if Bulletin.objects.filter(title=entry["title"]).exists():
            continue
        bulletin = _create(entry, now)
        _bring_to_state(bulletin, entry)
        created += 1
    _decisions()
    _peer()
    out(f"Demo bulletins: {created} created ({Bulletin.objects.count()} in all)")


def banner() -> list[str]:
    if not PeerSystem.objects.filter(name=DEMO_PEER).exists():
        return []
    return [
        "  Bulletins: console “Bulletins” and “From above”; portal at /, feeds at /feed/",
        f"  Demo API key (peer “{DEMO_PEER}”): {DEMO_API_KEY}",
    ]
