"""Programme items and groups of clusters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.loudspeakers.models import Cluster

from .. import compiler
from ..models import (
    ClusterGroup,
    ProgrammeItem,
    Source,
)
from ._common import _recompile_schedules, _require, _user, request_compile

# Programme items ----------------------------------------------------------------------


def _check_item(item: ProgrammeItem) -> None:
    errors: dict[str, str] = {}
    if item.source == Source.RELAY:
        if not item.relay_url or not item.relay_url.startswith(
            ("http://", "https://", "rtsp://", "rtmp://", "icecast://", "srt://")
        ):
            errors["relay_url"] = _(
                "Give the address of the stream, starting with http:// or https://."
            )
        if not item.duration_s:
            errors["duration_s"] = _("Say how long to relay the station.")
    elif item.source == Source.RECORDING:
        if not item.recording:
            errors["recording"] = _("Upload the recording.")
    elif item.bulletin_id is None:
        errors["bulletin"] = _("Choose the bulletin to read.")
    if errors:
        raise ValidationError(errors)


def bulletin_text(bulletin: Any) -> str:
    """Return what the loudspeakers read for a bulletin: title, summary, body."""
    from grassroots.bulletins.content import body_text

    parts = [bulletin.title, bulletin.summary, body_text(bulletin.body)]
    return "\n".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())


def _check_recording(item: ProgrammeItem) -> None:
    """Check a newly uploaded recording by its content; fill hash, size and duration.

    The same check as a bulletin's attachments (``bulletins.files``): the
    first bytes must say audio, ffprobe must read it, and its duration is
    measured rather than typed.
    """
    from grassroots.bulletins.files import prepare
    from grassroots.bulletins.models.attachment import AttachmentKind

    upload = item.recording
    try:
        prepared = prepare(upload, upload.name or "")
    except ValidationError as exc:
        raise ValidationError({"recording": exc.messages}) from None
    if prepared.kind != AttachmentKind.AUDIO:
        raise ValidationError(
            {
                "recording": _("“%(name)s” is not audio.")
                % {"name": prepared.original_name}
            }
        )
    item.recording = prepared.file
    item.recording_sha256 = prepared.sha256
    item.recording_bytes = prepared.size
    if prepared.duration_s:
        item.duration_s = round(prepared.duration_s, 3)


def prepare_audio(item: ProgrammeItem, *, render: bool = True) -> None:
    """Check a new recording, or ask for the bulletin to be read aloud."""
    if item.source == Source.RECORDING and item.recording:
        if not getattr(
            item.recording, "_committed", True
        ):  # a new upload, not the stored file
            _check_recording(item)
    if item.source == Source.BULLETIN and item.bulletin_id:
        if compiler.spoken_attachment(item.bulletin) is not None:
            item.audio = None
            return
        from grassroots.tts import actions as tts

        item.audio = tts.request_render(
            bulletin_text(item.bulletin),
            area=item.area,
            chimes=(item.chime_before, item.chime_after),
            enqueue=render,
        )


@transaction.atomic
def save_item(actor: Actor, item: ProgrammeItem) -> ProgrammeItem:
    """Create or change a programme item; its schedules are compiled again."""
    _require(actor, item.area)
    if item.bulletin_id and not scope.can(actor, Capability.VIEW, item.area) and actor:
        raise PermissionDenied(_("This is outside your area or your role."))
    _check_item(item)
    created = item.pk is None
    if created:
        item.created_by = _user(actor)
    prepare_audio(item)
    item.save()
    audit.record(
        "broadcasts.item_create" if created else "broadcasts.item_change",
        actor,
        item,
        area=item.area,
        data={"source": item.source, "bulletin": item.bulletin_id},
    )
    if not created:
        _recompile_schedules(item.schedules.filter(is_active=True))
    return item


@transaction.atomic
def delete_item(actor: Actor, item: ProgrammeItem) -> None:
    """Delete a programme item and its schedules; devices drop it."""
    _require(actor, item.area)
    schedules = list(item.schedules.all())
    clusters: set[int] = set()
    for schedule in schedules:
        clusters |= compiler.clusters_of(schedule)
    audit.record("broadcasts.item_delete", actor, item, area=item.area)
    item.delete()
    request_compile(clusters)


# Groups ---------------------------------------------------------------------------


@transaction.atomic
def save_group(
    actor: Actor,
    *,
    area: Area,
    name: str,
    clusters: Iterable[Cluster],
    group: ClusterGroup | None = None,
) -> ClusterGroup:
    """Create or change a named group of clusters, all within ``area``."""
    _require(actor, area)
    clusters = list(clusters)
    outside = [c.code for c in clusters if not c.area.path.startswith(area.path)]
    if outside:
        raise ValidationError(
            {
                "clusters": _("These clusters are outside %(area)s: %(codes)s")
                % {"area": area, "codes": ", ".join(outside)}
            }
        )
    if group is not None:
        _require(actor, group.area)
    before = set(group.clusters.values_list("pk", flat=True)) if group else set()
    group = group or ClusterGroup()
    group.area, group.name = area, name.strip()
    if (
        ClusterGroup.objects.filter(area=area, name__iexact=group.name)
        .exclude(pk=group.pk)
        .exists()
    ):
        raise ValidationError(
            {"name": _("This area already has a group of that name.")}
        )
    created = group.pk is None
    group.save()
    group.clusters.set(clusters)
    audit.record(
        "broadcasts.group_save",
        actor,
        group,
        area=area,
        data={"clusters": sorted(c.code for c in clusters), "created": created},
    )
    after = {c.pk for c in clusters}
    if group.schedules.filter(is_active=True).exists():
        request_compile(before ^ after)
    return group


@transaction.atomic
def delete_group(actor: Actor, group: ClusterGroup) -> None:
    _require(actor, group.area)
    clusters = set(group.clusters.values_list("pk", flat=True))
    used = group.schedules.filter(is_active=True).exists()
    audit.record("broadcasts.group_delete", actor, group, area=group.area)
    group.delete()
    if used:
        request_compile(clusters)
