""" "Play now", and bulletins queued for airing from the channel."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.areas.models import Area, Level
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.actions import send_command
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service, is_in_service

from .. import compiler, rules
from ..models import (
    ClusterGroup,
    Priority,
    ProgrammeItem,
    ProgrammeSchedule,
    Rule,
    Source,
)
from ._common import _recompile_schedules, _require, request_compile
from .programmes import prepare_audio

# Play now ------------------------------------------------------------------------


def _ready_playable(item: ProgrammeItem, priority: str, ref: str) -> dict[str, Any]:
    from grassroots.tts import actions as tts

    data = compiler.playable(
        item,
        priority=priority,
        item_ref=compiler.item_id(item, playables.PLAY_NOW, ref),
    )
    if (
        data is None
        and item.source == Source.BULLETIN
        and item.audio is not None
        and not item.audio.is_ready
    ):
        try:
            item.audio = tts.render_now(
                item.audio.text,
                area=item.area,
                chimes=(item.chime_before, item.chime_after),
            )
        except tts.RenderError as exc:
            raise ValidationError(
                _("The audio could not be made: %(detail)s") % {"detail": exc}
            ) from exc
        data = compiler.playable(
            item,
            priority=priority,
            item_ref=compiler.item_id(item, playables.PLAY_NOW, ref),
        )
    if data is None:
        raise ValidationError(_("This item has no audio ready to play yet."))
    return data


@transaction.atomic
def play_now(
    actor: Actor,
    item: ProgrammeItem,
    *,
    areas: Iterable[Area] = (),
    groups: Iterable[ClusterGroup] = (),
    clusters: Iterable[Cluster] = (),
    priority: str = Priority.NORMAL,
) -> list[Any]:
    """Air ``item`` now on each area (one publish per area), each group's clusters
    and each of ``clusters``."""
    areas, groups, clusters = list(areas), list(groups), list(clusters)
    if not areas and not groups and not clusters:
        raise ValidationError(_("Choose where it airs: areas or groups of clusters."))
    if priority not in Priority.values:
        raise ValidationError(
            _("Emergencies are broadcast from the emergency page, not scheduled.")
        )
    if not item.is_active:
        raise ValidationError(_("This item is no longer in use."))
    for area in areas:
        _require(actor, area)
    for group in groups:
        _require(actor, group.area)
    for cluster in clusters:
        _require(actor, cluster.area)
        if not is_in_service(cluster):
            raise ValidationError(_("This cluster is retired."))
    ref = uuid.uuid4().hex[:12]
    data = playables.ServerPlayable(_ready_playable(item, priority, ref))
    commands = [
        send_command(actor, "play_now", {"item": data}, area=area) for area in areas
    ]
    for group in groups:
        for cluster in in_service(group.clusters.all()):
            commands.append(
                send_command(actor, "play_now", {"item": data}, cluster=cluster)
            )
    for cluster in clusters:
        commands.append(
            send_command(actor, "play_now", {"item": data}, cluster=cluster)
        )
    audit.record(
        "broadcasts.play_now",
        actor,
        item,
        area=areas[0] if len(areas) == 1 else item.area,
        data={
            "id": data.data["id"],
            "areas": [a.path for a in areas],
            "groups": [g.pk for g in groups],
            "clusters": [c.code for c in clusters],
            "commands": [str(c.id) for c in commands],
        },
    )
    return commands


# Bulletins from the channel ---------------------------------------------------------


def slot_times() -> list[datetime.time]:
    """Return the daily broadcast slots (``GRASSROOTS_BROADCAST_SLOTS``), sorted."""
    from django.conf import settings

    return sorted(settings.GRASSROOTS_BROADCAST_SLOTS)


def next_slot(now: datetime.datetime | None = None) -> datetime.datetime:
    """Return the commune's next broadcast slot at least five minutes away."""
    zone = rules.local_zone()
    local = (now or timezone.now()).astimezone(zone) + datetime.timedelta(minutes=5)
    for days in range(0, 3):
        day = local.date() + datetime.timedelta(days=days)
        for slot in slot_times():
            moment = datetime.datetime.combine(day, slot, tzinfo=zone)
            if moment >= local:
                return moment
    raise AssertionError("unreachable: there is always a slot within two days")


@transaction.atomic
def queue_bulletin(
    bulletin: Any, communes: Iterable[Area], *, now: datetime.datetime | None = None
) -> list[ProgrammeSchedule]:
    """Queue a bulletin for airing at each commune's next slot (the system acts).

    Targets are the bulletin's own hamlets within the commune, or the whole
    commune. A commune that already has it queued keeps its schedule.
    """
    created: list[ProgrammeSchedule] = []
    targets = list(bulletin.target_areas.all())
    for commune in communes:
        item, _new = ProgrammeItem.objects.get_or_create(
            bulletin=bulletin,
            area=commune,
            defaults={
                "title": bulletin.title[:200],
                "source": Source.BULLETIN,
                "essential": bulletin.is_essential,
            },
        )
        item.title = bulletin.title[:200]
        item.is_active = True
        item.essential = bulletin.is_essential
        # Read aloud only where a cluster will air it; the rolling job renders
        # the rest when clusters appear (and the channel handler stays quick).
        heard = any(compiler.clusters_of(s) for s in item.schedules.all())
        prepare_audio(item, render=heard or _reaches_clusters(bulletin, commune))
        item.save()
        if item.schedules.filter(is_active=True).exists():
            continue
        moment = next_slot(now)
        here = [
            t for t in targets if t.path.startswith(commune.path) and t != commune
        ] or [commune]
        schedule = ProgrammeSchedule.objects.create(
            item=item,
            area=commune,
            rule=Rule.ONCE,
            starts_on=moment.date(),
            at=moment.time(),
            priority=(
                Priority.PRIORITY if bulletin.level == "priority" else Priority.NORMAL
            ),
        )
        schedule.target_areas.set(here)
        audit.record(
            "broadcasts.bulletin_queued",
            None,
            schedule,
            area=commune,
            data={"bulletin": bulletin.pk, "at": moment.isoformat()},
            object_repr=f"{bulletin} → {commune}",
        )
        created.append(schedule)
        request_compile(compiler.clusters_of(schedule))
    return created


@transaction.atomic
def take_off_air(bulletin_id: int, reason: str) -> int:
    """Stop airing a withdrawn or expired bulletin everywhere; return items stopped."""
    items = list(ProgrammeItem.objects.filter(bulletin_id=bulletin_id, is_active=True))
    for item in items:
        item.is_active = False
        item.save(update_fields=["is_active", "updated_at"])
        audit.record(
            "broadcasts.item_off_air",
            None,
            item,
            area=item.area,
            data={"bulletin": bulletin_id, "reason": reason},
        )
        _recompile_schedules(item.schedules.all())
    return len(items)


@transaction.atomic
def refresh_bulletin(bulletin: Any) -> int:
    """Read a changed bulletin aloud again; schedules are compiled when it is ready."""
    items = list(ProgrammeItem.objects.filter(bulletin=bulletin, is_active=True))
    for item in items:
        item.title = bulletin.title[:200]
        item.essential = bulletin.is_essential
        prepare_audio(item)
        item.save()
        audit.record(
            "broadcasts.item_change",
            None,
            item,
            area=item.area,
            data={"bulletin": bulletin.pk, "reason": "updated"},
        )
        _recompile_schedules(item.schedules.filter(is_active=True))
    return len(items)


def audio_ready(audio: Any) -> None:
    """Compile again the schedules whose item waited for this audio."""
    schedules = ProgrammeSchedule.objects.filter(
        item__audio=audio, item__is_active=True, is_active=True
    )
    with transaction.atomic():
        _recompile_schedules(schedules)


def _reaches_clusters(bulletin: Any, commune: Area) -> bool:
    targets = [
        t for t in bulletin.target_areas.all() if t.path.startswith(commune.path)
    ] or [commune]
    return (
        compiler.live_clusters()
        .filter(scope.area_q([t.path for t in targets], "area__path"))
        .exists()
    )


def communes_of(area_ids: Iterable[int]) -> list[Area]:
    return list(Area.objects.filter(pk__in=list(area_ids), level=Level.COMMUNE))
