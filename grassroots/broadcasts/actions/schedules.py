"""Schedules: targets within the operator's area, clashes, pause and resume."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.areas.models import Area
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service

from .. import compiler, rules
from ..models import (
    ClusterGroup,
    Priority,
    ProgrammeSchedule,
    Rule,
)
from ._common import _require, _user, request_compile

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
            in_service(
                Cluster.objects.filter(broadcast_groups__in=group_ids)
            ).values_list("pk", flat=True)
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
    actor: Actor,
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
    actor: Actor, schedule: ProgrammeSchedule, active: bool
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
def delete_schedule(actor: Actor, schedule: ProgrammeSchedule) -> None:
    _require(actor, schedule.area)
    clusters = compiler.clusters_of(schedule)
    audit.record("broadcasts.schedule_delete", actor, schedule, area=schedule.area)
    schedule.delete()
    request_compile(clusters)
