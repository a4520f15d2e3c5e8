"""Emergency takeover of the boards, and its end.

The contract with the broadcasts app (issue 5): it calls :func:`take_over`
when an emergency goes on the air and :func:`release` when it is cancelled
or ends. Both are idempotent, audited, and reach every board under the
areas within a second or two (the push journal, written in the same
transaction). The boards app calls them too, for emergency bulletins
(``channel.py``), with ``emergency_id="bulletin-<pk>"``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins import content as text_rules

from ..models import Takeover, TakeoverSource
from ..push import journal
from .registry import require

#: A drill (a test of the warning system) is shown as one: marked "THỬ NGHIỆM".
DRILL_LEVEL = "drill"
LEVELS = ("emergency", "priority", "normal", DRILL_LEVEL)
_EMERGENCY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
MAX_TEXT = 5000


def _areas(area_paths: list[str]) -> list[Area]:
    if not isinstance(area_paths, (list, tuple)) or not area_paths:
        raise ValidationError({"area_paths": _("Name at least one area.")})
    paths = sorted({str(p).strip("/") + "/" for p in area_paths if str(p).strip("/")})
    areas = list(Area.objects.filter(path__in=paths, is_active=True))
    missing = sorted(set(paths) - {a.path for a in areas})
    if missing or not paths:
        raise ValidationError(
            {
                "area_paths": _("Unknown or inactive areas: %(paths)s")
                % {"paths": ", ".join(missing)}
            }
        )
    # An area inside another one listed adds nothing.
    kept = [
        a
        for a in areas
        if not any(a.path != b.path and a.path.startswith(b.path) for b in areas)
    ]
    return sorted(kept, key=lambda a: a.path)


def _common_path(paths: list[str]) -> str:
    """Return the deepest area containing all ``paths`` (for the audit log's scope)."""
    parts = [p.rstrip("/").split("/") for p in paths]
    common = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    return "/".join(common) + "/" if common else ""


def _name(actor: Actor) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return str(actor or _("the system"))[:200]


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def take_over(
    *,
    emergency_id: str,
    area_paths: list[str],
    title: str,
    text: str,
    level: str,
    actor: Actor,
    source: str = TakeoverSource.BROADCAST,
    bulletin: Any = None,
) -> Takeover:
    """Show an emergency full screen on every board under ``area_paths`` until released.

    Calling again with the same ``emergency_id`` updates it (new words or
    areas) and changes nothing when nothing differs. An emergency already
    released stays released: a late retry never puts a cancelled alarm back.
    """
    emergency_id = str(emergency_id or "").strip()
    if not _EMERGENCY_ID.match(emergency_id):
        raise ValidationError(
            {"emergency_id": _("Give the emergency a valid identifier.")}
        )
    if level not in LEVELS:
        raise ValidationError(
            {"level": _("Unknown priority level: %(level)s") % {"level": level}}
        )
    title = text_rules.plain_text(title, _("Title"))[:255]
    if not title:
        raise ValidationError({"title": _("Give the emergency a title.")})
    text = text_rules.plain_text(text, _("Text"))[:MAX_TEXT]
    areas = _areas(area_paths)
    for area in areas:
        require(actor, Capability.BROADCAST_EMERGENCY, area)
    paths = [a.path for a in areas]
    existing = (
        Takeover.objects.select_for_update().filter(emergency_id=emergency_id).first()
    )
    if existing is not None and existing.released_at is not None:
        raise ValidationError(
            _(
                "This emergency has ended on the boards; a new one needs a new identifier."
            )
        )
    if existing is not None:
        same = (
            existing.title == title
            and existing.text == text
            and existing.level == level
            and existing.area_paths == paths
        )
        if same:
            return existing
        old_paths = list(existing.area_paths)
        existing.title, existing.text, existing.level = title, text, level
        existing.area_paths = paths
        existing.updated_at = timezone.now()
        existing.save()
        existing.areas.set(areas)
        audit.record(
            "board.takeover_update",
            actor,
            existing,
            area=_common_path(paths),
            data={"emergency_id": emergency_id, "areas": paths},
        )
        journal.takeover(paths, existing.as_message())
        dropped = [p for p in old_paths if not any(p.startswith(n) for n in paths)]
        if dropped:
            journal.refresh_areas(dropped, reason="takeover")
        return existing
    takeover = Takeover.objects.create(
        emergency_id=emergency_id,
        source=source,
        bulletin=bulletin,
        title=title,
        text=text,
        level=level,
        area_paths=paths,
        started_by=_user(actor),
        started_by_name=_name(actor),
    )
    takeover.areas.set(areas)
    audit.record(
        "board.takeover",
        actor,
        takeover,
        area=_common_path(paths),
        data={"emergency_id": emergency_id, "areas": paths, "source": source},
    )
    journal.takeover(paths, takeover.as_message())
    return takeover


@transaction.atomic
def release(*, emergency_id: str, actor: Actor) -> Takeover | None:
    """End an emergency on the boards; they go back to their playlists at once.

    Releasing an unknown or already ended emergency changes nothing.
    """
    takeover = (
        Takeover.objects.select_for_update()
        .filter(emergency_id=str(emergency_id))
        .first()
    )
    if takeover is None or takeover.released_at is not None:
        return takeover
    for path in takeover.area_paths:
        require(actor, Capability.BROADCAST_EMERGENCY, path)
    takeover.released_at = timezone.now()
    takeover.released_by = _user(actor)
    takeover.released_by_name = _name(actor)
    takeover.save(update_fields=["released_at", "released_by", "released_by_name"])
    audit.record(
        "board.release",
        actor,
        takeover,
        area=_common_path(takeover.area_paths),
        data={"emergency_id": takeover.emergency_id},
    )
    journal.release(takeover.area_paths, takeover.emergency_id)
    return takeover
