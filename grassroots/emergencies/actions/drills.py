"""Drills: start one now, plan one (once, weekly, monthly), and the worker's runs.

A drill is an emergency broadcast marked as a test (``start(drill=True)``):
the same lists, acknowledgements, live page, cancel path and second factor
as a real one. It airs no bulletin, its words are framed by a spoken
warning (``framing``), it always ends by itself (``duration_min``), and
a real emergency on its areas stops it.

Plans reuse the broadcasts app's recurrence rules (``broadcasts.rules``):
the first date decides the rule ("every month on the first Monday"), kept
as an RFC 5545 rule and expanded in local time.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.broadcasts.rules import local_zone, parse_rrule
from grassroots.loudspeakers.models import Cluster
from grassroots.tts.models import RenderedAudio

from ..models import (
    _DAY_CODES,
    MAX_DRILL_MINUTES,
    DrillPlan,
    Emergency,
    PlanState,
    Recurrence,
    Source,
)
from . import framing
from .broadcast import _paths, start
from .rules import (
    MAX_TEXT,
    _check_numbers,
    _check_second_factor,
    _check_targets,
    _common_area,
    _is_user,
    _ready,
    _require,
)

logger = logging.getLogger(__name__)

#: A planned run this late (the worker was down) is recorded as missed, not
#: started: a test of the sirens at an hour nobody expects helps nobody.
LATE_LIMIT = datetime.timedelta(minutes=15)


def default_title() -> str:
    with translation.override(framing.LANGUAGE):
        return _("Warning system drill")


# Checks -------------------------------------------------------------------------


def _check_duration(duration_min: int) -> None:
    if not isinstance(duration_min, int) or not 1 <= duration_min <= MAX_DRILL_MINUTES:
        raise ValidationError(
            {
                "duration_min": _("A drill lasts between 1 and %(max)d minutes.")
                % {"max": MAX_DRILL_MINUTES}
            }
        )


def _check_fits(
    audio: RenderedAudio, repeat: int, gap_s: int, duration_min: int
) -> None:
    """Refuse a drill that would end before it has aired as often as asked."""
    seconds = repeat * (audio.duration_ms or 0) / 1000 + (repeat - 1) * gap_s
    if seconds > duration_min * 60:
        raise ValidationError(
            {
                "duration_min": _(
                    "Aired %(n)d times, the drill needs about %(m)d minutes: make "
                    "it last longer or air it fewer times."
                )
                % {"n": repeat, "m": int(seconds // 60) + 1}
            }
        )


def _prepare(
    actor: Actor,
    areas: Iterable[Area],
    clusters: Iterable[Cluster],
    text: str,
    audio: RenderedAudio | None,
    repeat: int,
    gap_s: int,
    duration_min: int,
) -> tuple[list[Area], list[Cluster], Area, RenderedAudio]:
    _check_numbers(repeat, gap_s)
    _check_duration(duration_min)
    areas, clusters = _check_targets(actor, areas, clusters)
    area = _common_area(_paths(areas, clusters))
    audio = _ready(audio, framing.spoken(text, MAX_TEXT), area)
    _check_fits(audio, repeat, gap_s, duration_min)
    return areas, clusters, area, audio


# Now ------------------------------------------------------------------------------


@transaction.atomic
def start_drill(
    actor: Actor,
    *,
    areas: Iterable[Area] = (),
    clusters: Iterable[Cluster] = (),
    title: str = "",
    text: str = "",
    repeat: int = 1,
    gap_s: int = 5,
    duration_min: int = 15,
    audio: RenderedAudio | None = None,
    otp: str | None = None,
    plan: DrillPlan | None = None,
) -> Emergency:
    """Air a drill at once on every cluster of ``areas`` and ``clusters``.

    It is an emergency broadcast in every way but its marks: "THỬ NGHIỆM"
    before its title, the spoken warnings around ``text``, ``drill`` in
    what devices receive. It ends by itself after ``duration_min``.
    """
    areas, clusters, _area, audio = _prepare(
        actor, areas, clusters, text, audio, repeat, gap_s, duration_min
    )
    emergency = start(
        actor,
        None,
        areas=areas,
        clusters=clusters,
        repeat=repeat,
        gap_s=gap_s,
        text=text,
        audio=audio,
        expires_at=timezone.now() + datetime.timedelta(minutes=duration_min),
        otp=otp,
        source=Source.PLAN if plan is not None else Source.CONSOLE,
        drill=True,
        title=(title or "").strip() or default_title(),
    )
    if plan is not None:
        emergency.plan = plan
        emergency.save(update_fields=["plan"])
    return emergency


# Plans ------------------------------------------------------------------------------


def rule_for(recurrence: str, first_at: datetime.datetime) -> str:
    """Return the recurrence rule of a plan whose first run is ``first_at``.

    Monthly means the same weekday of the same week: a first run on the
    first Monday repeats on every first Monday; one in the last days of the
    month (a fifth week some months lack) on the last such weekday.
    """
    if recurrence == Recurrence.ONCE:
        return ""
    local = first_at.astimezone(local_zone())
    day = _DAY_CODES[local.weekday()]
    if recurrence == Recurrence.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={day}"
    week = (local.day - 1) // 7 + 1
    return f"FREQ=MONTHLY;BYDAY={-1 if week == 5 else week:+d}{day}"


def next_run(plan: DrillPlan, after: datetime.datetime) -> datetime.datetime | None:
    """Return the plan's first run strictly after ``after``, or None if none is left."""
    if not plan.rrule:
        return plan.first_at if plan.first_at > after else None
    zone = local_zone()
    first = plan.first_at.astimezone(zone).replace(tzinfo=None)
    rule = parse_rrule(plan.rrule, first)
    found = rule.after(after.astimezone(zone).replace(tzinfo=None), inc=False)
    if found is None or (plan.ends_on is not None and found.date() > plan.ends_on):
        return None
    return found.replace(tzinfo=zone)


@transaction.atomic
def plan_drill(
    actor: Actor,
    *,
    first_at: datetime.datetime,
    recurrence: str = Recurrence.ONCE,
    ends_on: datetime.date | None = None,
    areas: Iterable[Area] = (),
    clusters: Iterable[Cluster] = (),
    title: str = "",
    text: str = "",
    repeat: int = 1,
    gap_s: int = 5,
    duration_min: int = 15,
    audio: RenderedAudio | None = None,
    otp: str | None = None,
) -> DrillPlan:
    """Plan a drill for ``first_at``, repeated weekly or monthly; the worker starts it.

    Everything is checked now, as for a drill started at once (areas, the
    second factor, the audio made), so the planner hears what will air and
    nothing is found wrong at nine on a Monday morning.
    """
    _check_second_factor(actor, otp)
    if recurrence not in Recurrence.values:
        raise ValidationError({"recurrence": _("Choose how often the drill repeats.")})
    # Drills are planned to the minute (and recurrence rules drop fractions).
    first_at = first_at.replace(second=0, microsecond=0)
    now = timezone.now()
    if first_at <= now:
        raise ValidationError({"first_at": _("Choose a time in the future.")})
    if ends_on is not None and ends_on < first_at.astimezone(local_zone()).date():
        raise ValidationError(
            {"ends_on": _("The last day cannot be before the first run.")}
        )
    areas, clusters, area, _audio = _prepare(
        actor, areas, clusters, text, audio, repeat, gap_s, duration_min
    )
    plan = DrillPlan.objects.create(
        area=area,
        title=((title or "").strip() or default_title())[:200],
        text=framing.body_of(text)[:MAX_TEXT],
        repeat=repeat,
        gap_s=gap_s,
        duration_min=duration_min,
        recurrence=recurrence,
        first_at=first_at,
        rrule=rule_for(recurrence, first_at),
        ends_on=ends_on if recurrence != Recurrence.ONCE else None,
        next_at=first_at,
        created_by=actor if _is_user(actor) else None,
    )
    plan.target_areas.set(areas)
    plan.target_clusters.set(clusters)
    audit.record(
        "drill.plan",
        actor,
        plan,
        area=area,
        data={
            "first_at": first_at.isoformat(),
            "rule": plan.rrule,
            "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
            "areas": [a.path for a in areas],
            "clusters": [c.code for c in clusters],
            "repeat": repeat,
            "duration_min": duration_min,
        },
        object_repr=framing.marked(plan.title),
    )
    return plan


def _plan_paths(plan: DrillPlan) -> list[str]:
    return _paths(plan.target_areas.all(), plan.target_clusters.select_related("area"))


@transaction.atomic
def cancel_plan(actor: Actor, plan: DrillPlan, *, otp: str | None = None) -> DrillPlan:
    """Cancel every run still to come of a planned drill (not one on the air now).

    A run already on the air is cancelled on its own page, like any
    emergency; this stops the plan from starting another.
    """
    _check_second_factor(actor, otp)
    plan = DrillPlan.objects.select_for_update().get(pk=plan.pk)
    for path in _plan_paths(plan):
        _require(actor, path)
    if not plan.is_planned:
        raise ValidationError(_("This drill has no run left to cancel."))
    plan.state = PlanState.CANCELLED
    plan.next_at = None
    plan.cancelled_at = timezone.now()
    plan.cancelled_by = actor if _is_user(actor) else None
    plan.save()
    audit.record(
        "drill.plan_cancel",
        actor,
        plan,
        area=plan.area,
        data={},
        object_repr=framing.marked(plan.title),
    )
    return plan


def _problem(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, PermissionDenied):
        return _("The official who planned it may no longer broadcast there.")
    return " ".join(str(m) for m in exc.messages)[:500]


def _planner_may(plan: DrillPlan) -> bool:
    planner = plan.created_by
    if planner is None or not planner.is_active:
        return False
    return all(
        scope.can(planner, Capability.BROADCAST_EMERGENCY, path)
        for path in _plan_paths(plan)
    )


@transaction.atomic
def _run(plan_id: int, now: datetime.datetime) -> Emergency | None:
    plan = (
        DrillPlan.objects.select_for_update(skip_locked=True)
        .filter(pk=plan_id, state=PlanState.PLANNED, next_at__lte=now)
        .first()
    )
    if plan is None:
        return None  # another worker took it, or it was cancelled meanwhile
    due = plan.next_at
    assert due is not None  # noqa: S101 - filtered above
    # A one-off plan has no other run, whatever its dates say.
    plan.next_at = next_run(plan, max(due, now)) if plan.rrule else None
    if plan.next_at is None:
        plan.state = PlanState.FINISHED
    drill = None
    problem = ""
    data: dict[str, Any] = {"due": due.isoformat()}
    if now - due > LATE_LIMIT:
        problem = _("Not started: the system was not running at the time planned.")
        verb = "plan_missed"
    elif not _planner_may(plan):
        problem = _problem(PermissionDenied())
        plan.state, plan.next_at = PlanState.CANCELLED, None
        verb = "plan_failed"
    else:
        try:
            with transaction.atomic():
                drill = start_drill(
                    None,
                    areas=plan.target_areas.all(),
                    clusters=plan.target_clusters.all(),
                    title=plan.title,
                    text=plan.text,
                    repeat=plan.repeat,
                    gap_s=plan.gap_s,
                    duration_min=plan.duration_min,
                    plan=plan,
                )
        except (ValidationError, PermissionDenied) as exc:
            problem = _problem(exc)
            verb = "plan_failed"
        else:
            verb = "plan_run"
            data["drill"] = drill.pk
    plan.last_problem = problem
    plan.save()
    if problem:
        data["problem"] = problem
        logger.warning("Planned drill %s did not start: %s", plan.pk, problem)
    audit.record(
        f"drill.{verb}",
        None,
        plan,
        area=plan.area,
        data=data,
        object_repr=framing.marked(plan.title),
    )
    return drill


def start_due_drills(now: datetime.datetime | None = None) -> int:
    """Start every planned drill whose time has come (a periodic job); return how many."""
    now = now or timezone.now()
    due = DrillPlan.objects.filter(state=PlanState.PLANNED, next_at__lte=now)
    started = 0
    with audit.acting_as(audit.Origin(source=audit.Source.WORKER)):
        for plan_id in list(due.values_list("pk", flat=True)):
            if _run(plan_id, now) is not None:
                started += 1
    return started
