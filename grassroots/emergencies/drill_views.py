"""Console pages of drills: start or plan one, cancel a plan, read a report.

A drill started now is then watched, updated and cancelled on the same
pages as a real emergency (``views``); these pages add what a real one
does not have: the plan, and the report.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import actions
from .actions import framing
from .forms import CancelForm, DrillForm
from .live import clusters_under
from .models import DrillPlan
from .report import report
from .views import _add_errors, _can_broadcast, _visible, start_page, visible_plans

#: How many of a plan's next runs the confirmation shows.
NEXT_RUNS = 3


def start(request):
    """Choose where and when; hear the drill as it will air; confirm with the code."""
    if not _can_broadcast(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _page(request, DrillForm(for_user=request.user))
    confirming = request.POST.get("step") == "confirm"
    form = DrillForm(request.POST, for_user=request.user, confirm=confirming)
    if not form.is_valid():
        return _page(request, form, confirm=confirming)
    if not confirming:
        return _prepare(request, form)
    data = form.cleaned_data
    common: dict[str, Any] = {
        "areas": data["areas"],
        "clusters": data["clusters"],
        "title": data["title"],
        "text": data["text"],
        "repeat": data["repeat"],
        "gap_s": data["gap_s"],
        "duration_min": data["duration_min"],
        "audio": data["audio"],
        "otp": data.get("otp"),
    }
    try:
        if form.planned:
            actions.plan_drill(
                request.user,
                first_at=data["first_at"],
                recurrence=data["recurrence"],
                ends_on=data["ends_on"],
                **common,
            )
        else:
            drill = actions.start_drill(request.user, **common)
    except (ValidationError, PermissionDenied) as exc:
        _add_errors(form, exc)
        return _page(request, form, confirm=True)
    if form.planned:
        messages.success(request, _("The drill is planned; it will start by itself."))
        return HttpResponseRedirect(reverse("emergencies_index") + "?drill=1")
    messages.success(request, _("The drill is on the air."))
    return HttpResponseRedirect(reverse("emergencies_live", args=[drill.pk]))


def _prepare(request, form: DrillForm):
    """Make the audio now (warnings included), and show what will happen."""
    data = form.cleaned_data
    spoken = framing.spoken(data["text"] or "", actions.MAX_TEXT)
    area = (data["areas"] or [c.area for c in data["clusters"]])[0]
    started = time.monotonic()
    try:
        audio = actions.prepare_audio(spoken, area)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _page(request, form)
    took = time.monotonic() - started
    confirm = DrillForm(
        _with_audio(request.POST, audio.pk), for_user=request.user, confirm=True
    )
    confirm.is_valid()
    confirm.errors.clear()
    clusters = clusters_under(
        [a.path for a in data["areas"]],
        Q(pk__in=[c.pk for c in data["clusters"]]),
    ).count()
    runs = []
    plan = DrillPlan()
    if form.planned and data["first_at"] is not None:
        plan = DrillPlan(
            first_at=data["first_at"],
            rrule=actions.drills.rule_for(data["recurrence"], data["first_at"]),
            ends_on=data["ends_on"],
        )
        moment = data["first_at"]
        runs.append(moment)
        while len(runs) < NEXT_RUNS and moment is not None:
            moment = actions.next_run(plan, moment)
            if moment is not None:
                runs.append(moment)
    return _page(
        request,
        confirm,
        confirm=True,
        summary={
            "title": framing.marked(data["title"] or actions.default_title()),
            "areas": data["areas"],
            "clusters_chosen": data["clusters"],
            "clusters": clusters,
            "repeat": data["repeat"],
            "gap_s": data["gap_s"],
            "duration_min": data["duration_min"],
            "text": spoken,
            "audio": audio,
            "render_s": took,
            "planned": form.planned,
            "recurrence": plan.recurrence_text(),
            "runs": runs,
        },
    )


def _with_audio(posted: QueryDict, audio_id: int) -> QueryDict:
    """Return the posted choices (every selected area) with the audio made."""
    data = posted.copy()
    data["audio"] = str(audio_id)
    data["step"] = "confirm"
    return data


def _page(request, form, *, confirm: bool = False, summary=None):
    return start_page(request, drill_form=form, confirm=confirm, summary=summary)


def cancel_plan(request, pk: int):
    """Confirm (with the code where needed), then cancel every run still to come."""
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    if not scope.can(request.user, Capability.BROADCAST_EMERGENCY, plan.area):
        raise PermissionDenied
    back = reverse("emergencies_index") + "?drill=1"
    if not plan.is_planned:
        return HttpResponseRedirect(back)
    form = CancelForm(
        request.POST if request.method == "POST" else None, for_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_plan(request.user, plan, otp=form.cleaned_data.get("otp"))
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The planned drill is cancelled."))
            return HttpResponseRedirect(back)
    on_air = plan.drills.filter(state="active").first()
    return TemplateResponse(
        request,
        "emergencies/plan_cancel.html",
        {"plan": plan, "form": form, "back": back, "on_air": on_air},
    )


def report_page(request, pk: int):
    """Who was targeted, who acknowledged, who played, how fast; who failed and why."""
    emergency = get_object_or_404(_visible(request.user), pk=pk)
    return TemplateResponse(
        request,
        "emergencies/report.html",
        {
            "emergency": emergency,
            "report": report(emergency),
            "areas": list(emergency.target_areas.all()),
            "clusters": list(emergency.target_clusters.all()),
            "now": timezone.now(),
        },
    )
