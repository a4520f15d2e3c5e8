"""Every change to programmes and schedules, and "play now".

Each action checks the scope (an operator acts only within their area), makes
the change, audits it, and asks for the affected clusters' schedules to be
compiled again once the transaction commits (``request_compile``).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.actions import send_command
from grassroots.loudspeakers.models import Cluster, ClusterState

from . import compiler, rules
from .models import (
    ClusterGroup,
    CompileRequest,
    Priority,
    ProgrammeItem,
    ProgrammeSchedule,
    Rule,
    Source,
)

#: How far ahead the console looks for clashes.
CLASH_HORIZON = datetime.timedelta(days=14)

SCHEDULE_FIELDS = (
    "rule",
    "starts_on",
    "ends_on",
    "at",
    "weekdays",
    "rrule",
    "window_minutes",
    "repeat",
    "gap_s",
    "priority",
    "order",
    "is_active",
)


def _require(actor: Any, area: Area | str | None) -> None:
    """Refuse unless ``actor`` (None: the system) may operate broadcasts on ``area``."""
    if actor is not None and not scope.can(actor, Capability.OPERATE_BROADCASTS, area):
        raise PermissionDenied(_("This is outside your area or your role."))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Compiling --------------------------------------------------------------------------


def request_compile(cluster_ids: Iterable[int]) -> None:
    """Compile these clusters' schedules again, in the worker, after the commit.

    Rows coalesce: a burst of changes asks once per cluster, and one job
    sends them all.
    """
    ids = set(cluster_ids)
    if not ids:
        return
    CompileRequest.objects.bulk_create(
        [CompileRequest(cluster_id=pk) for pk in ids], ignore_conflicts=True
    )

    def enqueue() -> None:
        from .tasks import compile_pending

        compile_pending()

    transaction.on_commit(enqueue)


def compile_pending() -> int:
    """Send the clusters waiting in ``CompileRequest`` their new schedule; return how many."""
    with transaction.atomic():
        ids = list(
            CompileRequest.objects.select_for_update().values_list(
                "cluster_id", flat=True
            )
        )
        CompileRequest.objects.filter(cluster_id__in=ids).delete()
    if not ids:
        return 0
    with transaction.atomic():
        return compiler.compile_and_send(ids)


def _recompile_schedules(schedules: Iterable[ProgrammeSchedule]) -> None:
    ids: set[int] = set()
    for schedule in schedules:
        ids |= compiler.clusters_of(schedule)
    request_compile(ids)


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


def _prepare_audio(item: ProgrammeItem) -> None:
    """Fill the recording's hash and size, or ask for the bulletin to be read aloud."""
    if item.source == Source.RECORDING and item.recording:
        digest = hashlib.sha256()
        size = 0
        item.recording.open("rb")
        for chunk in item.recording.chunks():
            digest.update(chunk)
            size += len(chunk)
        item.recording.seek(0)
        item.recording_sha256 = digest.hexdigest()
        item.recording_bytes = size
    if item.source == Source.BULLETIN and item.bulletin_id:
        if compiler.spoken_attachment(item.bulletin) is not None:
            item.audio = None
            return
        from grassroots.tts import actions as tts

        item.audio = tts.request_render(
            bulletin_text(item.bulletin),
            area=item.area,
            chimes=(item.chime_before, item.chime_after),
        )


@transaction.atomic
def save_item(actor: Any, item: ProgrammeItem) -> ProgrammeItem:
    """Create or change a programme item; its schedules are compiled again."""
    _require(actor, item.area)
    if item.bulletin_id and not scope.can(actor, Capability.VIEW, item.area) and actor:
        raise PermissionDenied(_("This is outside your area or your role."))
    _check_item(item)
    created = item.pk is None
    if created:
        item.created_by = _user(actor)
    _prepare_audio(item)
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
def delete_item(actor: Any, item: ProgrammeItem) -> None:
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
    actor: Any,
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
def delete_group(actor: Any, group: ClusterGroup) -> None:
    _require(actor, group.area)
    clusters = set(group.clusters.values_list("pk", flat=True))
    used = group.schedules.filter(is_active=True).exists()
    audit.record("broadcasts.group_delete", actor, group, area=group.area)
    group.delete()
    if used:
        request_compile(clusters)


# Schedules -----------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """Another schedule that airs on some of the same clusters at the same time."""

    schedule: ProgrammeSchedule
    at: datetime.datetime
    clusters: int

    @property
    def description(self) -> str:
        local = timezone.localtime(self.at)
        return _(
            "%(title)s at %(time)s on %(date)s (%(n)d clusters in common, "
            "priority %(priority)s, order %(order)d)"
        ) % {
            "title": self.schedule.item.title,
            "time": local.strftime("%H:%M"),
            "date": local.strftime("%d/%m/%Y"),
            "n": self.clusters,
            "priority": self.schedule.get_priority_display(),
            "order": self.schedule.order,
        }


class ClashError(ValidationError):
    """Raised when a schedule clashes and the operator has not confirmed the order."""

    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__(
            _(
                "This schedule airs at the same time as other items on the same "
                "clusters. Check the order below and confirm to save."
            ),
            code="clash",
        )


def _targets_clusters(
    areas: Iterable[Area], groups: Iterable[ClusterGroup]
) -> set[int]:
    from django.db.models import Q

    query = Q(pk__in=[])
    for area in areas:
        query |= Q(area__path__under=area.path)
    ids = set(compiler.live_clusters().filter(query).values_list("pk", flat=True))
    group_ids = [g.pk for g in groups]
    if group_ids:
        ids |= set(
            Cluster.objects.filter(broadcast_groups__in=group_ids)
            .exclude(state=ClusterState.RETIRED)
            .values_list("pk", flat=True)
        )
    return ids


def find_clashes(
    schedule: ProgrammeSchedule,
    areas: Iterable[Area],
    groups: Iterable[ClusterGroup],
    *,
    now: datetime.datetime | None = None,
) -> list[Clash]:
    """Return the other active schedules overlapping ``schedule`` on shared clusters."""
    now = now or timezone.now()
    end = now + CLASH_HORIZON
    mine = _targets_clusters(areas, groups)
    if not mine:
        return []
    own_times = rules.occurrences(schedule, now, end)
    if not own_times:
        return []
    length = schedule.duration
    clashes: list[Clash] = []
    others = (
        compiler.active_schedules(now, end)
        .exclude(pk=schedule.pk)
        .prefetch_related("target_areas", "target_groups")
    )
    for other in others:
        times = rules.occurrences(other, now, end)
        if not times:
            continue
        other_length = other.duration
        first = next(
            (
                t
                for t in times
                for o in own_times
                if rules.overlap(o, length, t, other_length)
            ),
            None,
        )
        if first is None:
            continue
        common = mine & _targets_clusters(
            other.target_areas.all(), other.target_groups.all()
        )
        if common:
            clashes.append(Clash(other, first, len(common)))
    clashes.sort(key=lambda c: (c.at, c.schedule.order))
    return clashes


def _check_schedule(
    schedule: ProgrammeSchedule, areas: list[Area], groups: list[ClusterGroup]
) -> None:
    errors: dict[str, Any] = {}
    if not areas and not groups:
        errors["target_areas"] = _("Choose where it airs: areas or groups of clusters.")
    for area in areas:
        if not area.path.startswith(schedule.area.path):
            errors.setdefault("target_areas", []).append(
                _("%(area)s is outside %(owner)s.")
                % {"area": area, "owner": schedule.area}
            )
    for group in groups:
        if not group.area.path.startswith(schedule.area.path):
            errors.setdefault("target_groups", []).append(
                _("The group %(group)s is outside %(owner)s.")
                % {"group": group, "owner": schedule.area}
            )
    item_path = schedule.item.area.path
    if not (
        item_path.startswith(schedule.area.path)
        or schedule.area.path.startswith(item_path)
    ):
        errors["item"] = _("This programme item belongs to another area.")
    if schedule.ends_on and schedule.ends_on < schedule.starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    if schedule.rule == Rule.WEEKLY and not schedule.weekday_list:
        errors["weekdays"] = _("Choose at least one day of the week.")
    if schedule.rule == Rule.RRULE:
        try:
            rules.parse_rrule(
                schedule.rrule,
                datetime.datetime.combine(schedule.starts_on, schedule.at),
            )
        except ValidationError as exc:
            errors["rrule"] = exc.messages
    if schedule.priority not in Priority.values:
        errors["priority"] = _(
            "Emergencies are broadcast from the emergency page, not scheduled."
        )
    if schedule.repeat > 1 and schedule.gap_s is None:
        schedule.gap_s = 0
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_schedule(
    actor: Any,
    schedule: ProgrammeSchedule,
    *,
    target_areas: Iterable[Area],
    target_groups: Iterable[ClusterGroup] = (),
    confirm_clashes: bool = False,
) -> ProgrammeSchedule:
    """Create or change a schedule within the operator's area; clashes need confirming.

    The schedule's own area and every target must lie within the areas where
    the actor operates broadcasts; the clusters it reaches (before and after
    the change) are compiled again.
    """
    areas, groups = list(target_areas), list(target_groups)
    _require(actor, schedule.area)
    for area in areas:
        _require(actor, area)
    for group in groups:
        _require(actor, group.area)
    _check_schedule(schedule, areas, groups)
    if schedule.is_active and not confirm_clashes:
        clashes = find_clashes(schedule, areas, groups)
        if clashes:
            raise ClashError(clashes)
    created = schedule.pk is None
    before: set[int] = set()
    if not created:
        before = compiler.clusters_of(ProgrammeSchedule.objects.get(pk=schedule.pk))
    else:
        schedule.created_by = _user(actor)
    schedule.save()
    schedule.target_areas.set(areas)
    schedule.target_groups.set(groups)
    audit.record(
        "broadcasts.schedule_create" if created else "broadcasts.schedule_change",
        actor,
        schedule,
        area=schedule.area,
        data={
            **{
                name: str(getattr(schedule, name))
                for name in SCHEDULE_FIELDS
                if getattr(schedule, name) not in (None, "")
            },
            "item": schedule.item_id,
            "targets": [a.path for a in areas],
            "groups": [g.pk for g in groups],
            "clashes_confirmed": confirm_clashes,
        },
    )
    request_compile(before | compiler.clusters_of(schedule))
    return schedule


@transaction.atomic
def set_schedule_active(
    actor: Any, schedule: ProgrammeSchedule, active: bool
) -> ProgrammeSchedule:
    """Pause or resume a schedule."""
    _require(actor, schedule.area)
    schedule.is_active = active
    schedule.save(update_fields=["is_active", "updated_at"])
    audit.record(
        "broadcasts.schedule_resume" if active else "broadcasts.schedule_pause",
        actor,
        schedule,
        area=schedule.area,
    )
    request_compile(compiler.clusters_of(schedule))
    return schedule


@transaction.atomic
def delete_schedule(actor: Any, schedule: ProgrammeSchedule) -> None:
    _require(actor, schedule.area)
    clusters = compiler.clusters_of(schedule)
    audit.record("broadcasts.schedule_delete", actor, schedule, area=schedule.area)
    schedule.delete()
    request_compile(clusters)


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
    actor: Any,
    item: ProgrammeItem,
    *,
    areas: Iterable[Area] = (),
    groups: Iterable[ClusterGroup] = (),
    priority: str = Priority.NORMAL,
) -> list[Any]:
    """Air ``item`` now on each area (one publish per area) and each group's clusters."""
    areas, groups = list(areas), list(groups)
    if not areas and not groups:
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
    ref = uuid.uuid4().hex[:12]
    data = _ready_playable(item, priority, ref)
    commands = [
        send_command(actor, "play_now", {"item": data}, area=area) for area in areas
    ]
    for group in groups:
        for cluster in group.clusters.exclude(state=ClusterState.RETIRED):
            commands.append(
                send_command(actor, "play_now", {"item": data}, cluster=cluster)
            )
    audit.record(
        "broadcasts.play_now",
        actor,
        item,
        area=areas[0] if len(areas) == 1 else item.area,
        data={
            "id": data["id"],
            "areas": [a.path for a in areas],
            "groups": [g.pk for g in groups],
            "commands": [str(c.id) for c in commands],
        },
    )
    return commands


# Bulletins from the channel ---------------------------------------------------------


def slot_times() -> list[datetime.time]:
    """Return the daily broadcast slots (``GRASSROOTS_BROADCAST_SLOTS``, "06:00,17:00")."""
    from django.conf import settings

    text = getattr(settings, "GRASSROOTS_BROADCAST_SLOTS", "") or "06:00,17:00"
    slots = []
    for part in text.split(","):
        try:
            slots.append(datetime.time.fromisoformat(part.strip()))
        except ValueError:
            continue
    return sorted(slots) or [datetime.time(6), datetime.time(17)]


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
        _prepare_audio(item)
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
        _prepare_audio(item)
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


def communes_of(area_ids: Iterable[int]) -> list[Area]:
    return list(Area.objects.filter(pk__in=list(area_ids), level=Level.COMMUNE))
