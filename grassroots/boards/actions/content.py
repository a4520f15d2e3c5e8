"""Board-only items and the web sites boards may show: every change pushed at once."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.bulletins import content as text_rules
from grassroots.bulletins import files

from ..models import ALL_WEEKDAYS, AllowedOrigin, Board, BoardItem, ItemKind
from ..playlist import origin_of
from ..push import journal
from .registry import require

_ORIGIN = re.compile(
    r"^https://[a-z0-9.-]+(:\d{1,5})?$|^http://(localhost|127\.0\.0\.1)(:\d{1,5})?$"
)


@dataclass
class ItemContent:
    """What staff fill in for a board item; checked by :func:`save_item`."""

    area: Area
    kind: str
    title: str
    text: str = ""
    url: str = ""
    upload: IO[bytes] | None = None
    upload_name: str = ""
    duration_s: int = 15
    position: int = 0
    enabled: bool = True
    weekdays: str = ALL_WEEKDAYS
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    is_essential: bool = False
    boards: list[Board] = field(default_factory=list)


def _check(data: ItemContent, item: BoardItem | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        title = text_rules.plain_text(data.title, _("Title"))
    except ValidationError as exc:
        errors["title"] = exc.messages[0]
        title = ""
    if not title and "title" not in errors:
        errors["title"] = _("Give the item a title.")
    try:
        text = text_rules.plain_text(data.text, _("Text"))
    except ValidationError as exc:
        errors["text"] = exc.messages[0]
        text = ""
    if data.kind not in ItemKind.values:
        errors["kind"] = _("Choose what kind of item it is.")
    if data.kind == ItemKind.TEXT and not text:
        errors["text"] = _("A text notice needs its text.")
    if data.kind == ItemKind.WEBPAGE:
        errors.update(_check_url(data))
    if data.kind in (ItemKind.IMAGE, ItemKind.VIDEO):
        has_file = data.upload is not None or (
            item is not None and item.file and item.kind == data.kind
        )
        if not has_file:
            errors["file"] = _("Attach the image or video to show.")
    weekdays = "".join(sorted(set(data.weekdays or "")))
    if not weekdays or not set(weekdays) <= set(ALL_WEEKDAYS):
        errors["weekdays"] = _("Choose at least one day of the week.")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The last day comes before the first day.")
    if data.start_time and data.end_time and data.start_time == data.end_time:
        errors["end_time"] = _("The start and end times are the same.")
    outside = [b for b in data.boards if not b.area.path.startswith(data.area.path)]
    if outside:
        errors["boards"] = _("These boards are not in the item's area: %(codes)s") % {
            "codes": ", ".join(b.code for b in outside)
        }
    if errors:
        raise ValidationError(errors)
    return {"title": title, "text": text, "weekdays": weekdays}


def _check_url(data: ItemContent) -> dict[str, str]:
    url = (data.url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return {"url": _("Give the full address of the page, starting with https://")}
    province = data.area.ancestor_paths[0]
    allowed = AllowedOrigin.objects.filter(
        province__path=province, origin=origin_of(url)
    ).exists()
    if not allowed:
        return {
            "url": _(
                "%(origin)s is not on the province's list of sites boards may show; "
                "ask a province administrator to add it."
            )
            % {"origin": origin_of(url)}
        }
    return {}


def _store_file(item: BoardItem, data: ItemContent) -> None:
    if data.upload is None:
        return
    prepared = files.prepare(data.upload, data.upload_name or "tep")
    if prepared.kind != data.kind:
        raise ValidationError(
            {"file": _("This file is not an image or a video of the kind chosen.")}
        )
    item.file.save(prepared.file.name or "tep", prepared.file, save=False)
    item.content_type = prepared.content_type
    item.size = prepared.size
    item.sha256 = prepared.sha256
    item.media_duration_s = prepared.duration_s


@transaction.atomic
def save_item(
    actor: Actor, data: ItemContent, item: BoardItem | None = None
) -> BoardItem:
    """Create or change a board item; the boards concerned reload their playlist."""
    require(actor, Capability.OPERATE_BROADCASTS, data.area)
    old_path = None
    if item is not None:
        item = (
            BoardItem.objects.select_for_update().select_related("area").get(pk=item.pk)
        )
        require(actor, Capability.OPERATE_BROADCASTS, item.area)
        old_path = item.area.path
    if not data.area.is_active:
        raise ValidationError({"area": _("This area is no longer active.")})
    clean = _check(data, item)
    creating = item is None
    item = item or BoardItem(created_by=actor if getattr(actor, "pk", None) else None)
    for name in (
        "kind",
        "url",
        "duration_s",
        "position",
        "enabled",
        "start_time",
        "end_time",
        "start_date",
        "end_date",
        "is_essential",
    ):
        setattr(item, name, getattr(data, name))
    item.area = data.area
    item.title, item.text, item.weekdays = (
        clean["title"],
        clean["text"],
        clean["weekdays"],
    )
    if item.kind not in (ItemKind.IMAGE, ItemKind.VIDEO) and item.file:
        item.file.delete(save=False)
        item.content_type, item.size, item.sha256 = "", 0, ""
    if item.kind != ItemKind.WEBPAGE:
        item.url = ""
    _store_file(item, data)
    item.full_clean(exclude=["file", "boards"])
    item.save()
    item.boards.set(data.boards)
    audit.record(
        "board_item.create" if creating else "board_item.change",
        actor,
        item,
        data={"kind": item.kind, "boards": [b.code for b in data.boards]},
    )
    journal.refresh_areas([p for p in (old_path, item.area.path) if p], reason="item")
    return item


@transaction.atomic
def delete_item(actor: Actor, item: BoardItem) -> None:
    """Remove an item; its display events keep what was shown (by key and title)."""
    item = BoardItem.objects.select_related("area").get(pk=item.pk)
    require(actor, Capability.OPERATE_BROADCASTS, item.area)
    path, title = item.area.path, item.title
    audit.record("board_item.delete", actor, item, data={"title": title})
    if item.file:
        item.file.delete(save=False)
    item.delete()
    journal.refresh_areas([path], reason="item")


def _province(area: Area) -> Area:
    if area.level != Level.PROVINCE:
        raise ValidationError({"province": _("Choose a province.")})
    return area


@transaction.atomic
def add_origin(
    actor: Actor, province: Area, origin: str, note: str = ""
) -> AllowedOrigin:
    """Let the boards of ``province`` show pages of ``origin`` (scheme and host)."""
    require(actor, Capability.MANAGE_DEVICES, _province(province))
    origin = (origin or "").strip().rstrip("/").lower()
    if not _ORIGIN.match(origin):
        raise ValidationError(
            {
                "origin": _(
                    "Give the scheme and host only, e.g. https://dongthap.gov.vn "
                    "(https is required)."
                )
            }
        )
    entry, created = AllowedOrigin.objects.get_or_create(
        province=province, origin=origin, defaults={"note": note[:200]}
    )
    if created:
        audit.record(
            "board_origin.add", actor, entry, area=province, data={"origin": origin}
        )
        journal.refresh_areas([province.path], reason="origins")
    return entry


@transaction.atomic
def delete_origin(actor: Actor, entry: AllowedOrigin) -> None:
    """Stop boards showing pages of a site; pages already playing leave at once."""
    entry = AllowedOrigin.objects.select_related("province").get(pk=entry.pk)
    require(actor, Capability.MANAGE_DEVICES, entry.province)
    audit.record(
        "board_origin.delete",
        actor,
        entry,
        area=entry.province,
        data={"origin": entry.origin},
    )
    path = entry.province.path
    entry.delete()
    journal.refresh_areas([path], reason="origins")


@transaction.atomic
def change_origin(
    actor: Actor, entry: AllowedOrigin, province: Area, origin: str, note: str = ""
) -> AllowedOrigin:
    """Change an allowed site: its note in place; a new site or province replaces it."""
    entry = AllowedOrigin.objects.select_related("province").get(pk=entry.pk)
    require(actor, Capability.MANAGE_DEVICES, entry.province)
    cleaned = (origin or "").strip().rstrip("/").lower()
    if cleaned != entry.origin or province.pk != entry.province_id:
        added = add_origin(actor, province, origin, note)
        delete_origin(actor, entry)
        return added
    if note[:200] != entry.note:
        entry.note = note[:200]
        entry.save(update_fields=["note"])
        audit.record(
            "board_origin.change",
            actor,
            entry,
            area=entry.province,
            data={"origin": entry.origin},
        )
    return entry
