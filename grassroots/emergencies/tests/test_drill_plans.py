"""Planned drills: the rule from the first date, the worker's runs, cancel before."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts import actions as accounts
from grassroots.accounts.models import AuditEntry, RoleAssignment
from grassroots.emergencies import actions, tasks
from grassroots.emergencies.models import (
    DrillPlan,
    Emergency,
    PlanState,
    Recurrence,
    Source,
    State,
)

from .test_actions import code_for

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _first_monday_after(day: datetime.date) -> datetime.date:
    """Return the first Monday of the month after ``day``'s."""
    first = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first + datetime.timedelta(days=(7 - first.weekday()) % 7)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=HCM)


def _plan(actor, **kwargs) -> DrillPlan:
    kwargs.setdefault("areas", [])
    return actions.plan_drill(actor, **kwargs)


def _actions(plan: DrillPlan) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type="emergencies.drillplan", object_id=str(plan.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_monthly_on_the_first_monday_runs_every_first_monday_at_nine(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    first = _first_monday_after(timezone.localdate())
    plan = _plan(
        operator_a,
        first_at=_at(first),
        recurrence=Recurrence.MONTHLY,
        areas=[tree.commune_a],
        title="Diễn tập tháng",
    )
    assert plan.rrule == "FREQ=MONTHLY;BYDAY=+1MO"
    assert plan.next_at == _at(first) and plan.state == PlanState.PLANNED
    assert _actions(plan) == ["drill.plan"]
    runs = [plan.first_at]
    for _ in range(3):
        runs.append(actions.next_run(plan, runs[-1]))
    assert all(r.weekday() == 0 and r.day <= 7 and r.hour == 9 for r in runs)
    assert len({r.month for r in runs}) == 4

    # The worker, a few seconds after nine: the drill starts by itself.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.start_due_drills(_at(first) + datetime.timedelta(seconds=5)) == 1
    drill = Emergency.objects.get()
    assert drill.drill and drill.plan == plan and drill.source == Source.PLAN
    assert drill.started_by is None and drill.title == "THỬ NGHIỆM: Diễn tập tháng"
    plan.refresh_from_db()
    assert plan.next_at == runs[1] and plan.last_problem == ""
    assert _actions(plan) == ["drill.plan", "drill.plan_run"]
    start = AuditEntry.objects.get(action="drill.start")
    assert start.actor is None and start.source == "worker"
    # Run again in the same minute: nothing more.
    assert actions.start_due_drills(_at(first) + datetime.timedelta(seconds=30)) == 0


def test_the_rule_comes_from_the_first_date():
    def rule(day: int, recurrence=Recurrence.MONTHLY) -> str:
        return actions.drills.rule_for(recurrence, _at(datetime.date(2026, 3, day)))

    assert rule(2) == "FREQ=MONTHLY;BYDAY=+1MO"  # first Monday of March 2026
    assert rule(19) == "FREQ=MONTHLY;BYDAY=+3TH"
    assert rule(30) == "FREQ=MONTHLY;BYDAY=-1MO"  # a fifth week: the last Monday
    assert rule(4, Recurrence.WEEKLY) == "FREQ=WEEKLY;BYDAY=WE"
    assert rule(4, Recurrence.ONCE) == ""


def test_the_periodic_job_starts_a_due_drill_and_a_one_off_plan_then_finishes(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    plan = _plan(
        operator_a,
        first_at=timezone.now() + datetime.timedelta(hours=1),
        areas=[tree.hamlet_a1],
    )
    # Time passes: the plan is due.
    DrillPlan.objects.filter(pk=plan.pk).update(
        next_at=timezone.now() - datetime.timedelta(seconds=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.start_planned_drills.call_local() == 1
    plan.refresh_from_db()
    assert plan.state == PlanState.FINISHED and plan.next_at is None
    assert Emergency.objects.get().is_active


def test_a_run_the_worker_missed_by_far_is_recorded_not_aired(tree, operator_a, outbox):
    first = timezone.now() + datetime.timedelta(hours=1)
    plan = _plan(
        operator_a, first_at=first, recurrence=Recurrence.WEEKLY, areas=[tree.hamlet_a1]
    )
    assert actions.start_due_drills(first + datetime.timedelta(hours=2)) == 0
    assert not Emergency.objects.exists()
    plan.refresh_from_db()
    assert plan.state == PlanState.PLANNED
    assert plan.next_at == plan.first_at + datetime.timedelta(days=7)
    assert "không chạy" in plan.last_problem or "not running" in plan.last_problem
    assert _actions(plan)[-1] == "drill.plan_missed"


def test_cancelling_a_plan_before_its_time_means_it_never_starts(
    tree, operator_a, outbox
):
    first = timezone.now() + datetime.timedelta(minutes=30)
    plan = _plan(operator_a, first_at=first, areas=[tree.hamlet_a1])
    actions.cancel_plan(operator_a, plan)
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED and plan.cancelled_by == operator_a
    assert actions.start_due_drills(first + datetime.timedelta(seconds=1)) == 0
    assert not Emergency.objects.exists()
    assert _actions(plan) == ["drill.plan", "drill.plan_cancel"]
    with pytest.raises(ValidationError):
        actions.cancel_plan(operator_a, plan)


def test_cancelling_a_running_drill_of_a_plan_is_the_emergency_cancel(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    first = timezone.now() + datetime.timedelta(minutes=5)
    plan = _plan(
        operator_a, first_at=first, recurrence=Recurrence.WEEKLY, areas=[tree.hamlet_a1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_due_drills(first)
    drill = Emergency.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel(operator_a, drill)
    drill.refresh_from_db()
    plan.refresh_from_db()
    assert drill.state == State.CANCELLED
    assert plan.state == PlanState.PLANNED, "next week's drill is still planned"


def test_planning_checks_scope_second_factor_time_and_audio_now(
    tree, operator_a, people, outbox, fake_speech
):
    later = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        _plan(operator_a, first_at=later, areas=[tree.commune_b])
    with pytest.raises(PermissionDenied):
        _plan(people.approver_a, first_at=later, areas=[tree.hamlet_a1])
    with pytest.raises(ValidationError) as past:
        _plan(
            operator_a,
            first_at=timezone.now() - datetime.timedelta(minutes=1),
            areas=[tree.hamlet_a1],
        )
    assert "first_at" in past.value.message_dict
    with pytest.raises(ValidationError) as ends:
        _plan(
            operator_a,
            first_at=later,
            recurrence=Recurrence.WEEKLY,
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
            areas=[tree.hamlet_a1],
        )
    assert "ends_on" in ends.value.message_dict
    fake_speech.fail_with = RuntimeError("espeak-ng is missing")
    with pytest.raises(ValidationError) as speech:
        _plan(operator_a, first_at=later, areas=[tree.hamlet_a1])
    assert "espeak-ng" in str(speech.value)
    fake_speech.fail_with = None
    device = TOTPDevice.objects.create(user=operator_a, name="phone", confirmed=True)
    with pytest.raises(ValidationError) as otp:
        _plan(operator_a, first_at=later, areas=[tree.hamlet_a1])
    assert "otp" in otp.value.message_dict
    assert not DrillPlan.objects.exists()
    plan = _plan(
        operator_a, first_at=later, areas=[tree.hamlet_a1], otp=code_for(device)
    )
    # Cancelling a plan asks for the code too.
    with pytest.raises(ValidationError):
        actions.cancel_plan(operator_a, plan)


def test_a_planner_who_lost_the_role_stops_the_plan(tree, operator_a, outbox):
    first = timezone.now() + datetime.timedelta(minutes=5)
    plan = _plan(
        operator_a, first_at=first, recurrence=Recurrence.WEEKLY, areas=[tree.hamlet_a1]
    )
    accounts.revoke_role(None, RoleAssignment.objects.get(user=operator_a))
    assert actions.start_due_drills(first) == 0
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED and plan.last_problem
    assert _actions(plan)[-1] == "drill.plan_failed"
    assert not Emergency.objects.exists()


def test_a_planned_run_under_a_real_emergency_does_not_start_and_the_plan_goes_on(
    tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    first = timezone.now() + datetime.timedelta(minutes=5)
    plan = _plan(
        operator_a, first_at=first, recurrence=Recurrence.WEEKLY, areas=[tree.hamlet_a1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.start(operator_a, flood, areas=[tree.commune_a])
    assert actions.start_due_drills(first) == 0
    plan.refresh_from_db()
    assert plan.state == PlanState.PLANNED
    assert plan.next_at == plan.first_at + datetime.timedelta(days=7)
    assert flood.title in plan.last_problem
    assert not Emergency.objects.filter(drill=True).exists()


@pytest.mark.parametrize(
    ("recurrence", "day", "words"),
    [
        (Recurrence.ONCE, 2, "một lần"),
        (Recurrence.WEEKLY, 4, "hằng tuần, vào Thứ Tư"),
        (Recurrence.MONTHLY, 2, "hằng tháng, Thứ Hai đầu tiên"),
        (Recurrence.MONTHLY, 19, "hằng tháng, Thứ Năm tuần thứ 3"),
        (Recurrence.MONTHLY, 30, "hằng tháng, Thứ Hai cuối cùng"),
    ],
)
def test_how_often_in_plain_words(recurrence, day, words):
    first = _at(datetime.date(2026, 3, day))
    plan = DrillPlan(first_at=first, rrule=actions.drills.rule_for(recurrence, first))
    assert plan.recurrence_text() == words
