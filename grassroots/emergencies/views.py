"""Console pages: broadcast an emergency, watch it live, update or cancel it."""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import actions
from .forms import CancelForm, StartForm, UpdateForm
from .live import clusters_under, live
from .models import DrillPlan, Emergency, PlanState, State


def _visible(user):
    return scope.scope(
        Emergency.objects.select_related("bulletin", "area", "audio", "started_by"),
        user,
        Capability.VIEW,
        path_field="area__path",
    )


def _can_broadcast(user, emergency: Emergency | None = None) -> bool:
    if emergency is None:
        return scope.can_anywhere(user, Capability.BROADCAST_EMERGENCY)
    return scope.can(user, Capability.BROADCAST_EMERGENCY, emergency.area)


def _add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, PermissionDenied):
        form.add_error(None, _("This is outside your area or your role."))
    else:
        form.add_error(None, exc.messages)


def visible_plans(user):
    return scope.scope(
        DrillPlan.objects.select_related("area", "created_by"),
        user,
        Capability.VIEW,
        path_field="area__path",
    )


def index(request):
    """List the emergencies in the user's area, those on the air first.

    Drill mode (the switch, ``?drill=1``) lists the drills and the planned
    ones, and leads to starting a drill instead of a real emergency.
    """
    drill_mode = request.GET.get("drill") == "1"
    visible = _visible(request.user)
    plans: list[DrillPlan] = []
    if drill_mode:
        visible = visible.filter(drill=True)
        plans = list(
            visible_plans(request.user)
            .filter(state=PlanState.PLANNED)
            .order_by("next_at", "pk")[:100]
        )
    emergencies = list(visible.order_by("state", "-started_at")[:100])
    return TemplateResponse(
        request,
        "emergencies/index.html",
        {
            "emergencies": emergencies,
            "plans": plans,
            "drill_mode": drill_mode,
            "can_broadcast": _can_broadcast(request.user),
        },
    )


def start(request):
    """Choose bulletin, areas and repeats; hear the audio; confirm with the code."""
    if not _can_broadcast(request.user):
        raise PermissionDenied
    step = request.POST.get("step", "")
    if request.method != "POST":
        form = StartForm(for_user=request.user)
        return _start_page(request, form)
    confirming = step == "confirm"
    form = StartForm(request.POST, for_user=request.user, confirm=confirming)
    if not form.is_valid():
        return _start_page(request, form, confirm=confirming)
    data = form.cleaned_data
    if not confirming:
        return _prepare(request, form)
    try:
        emergency = actions.start(
            request.user,
            data["bulletin"],
            areas=data["areas"],
            repeat=data["repeat"],
            gap_s=data["gap_s"],
            text=data["text"],
            audio=data["audio"],
            otp=data.get("otp"),
        )
    except (ValidationError, PermissionDenied) as exc:
        _add_errors(form, exc)
        return _start_page(request, form, confirm=True)
    messages.success(request, _("The emergency is on the air."))
    return HttpResponseRedirect(reverse("emergencies_live", args=[emergency.pk]))


def _prepare(request, form: StartForm):
    """Make the audio now, so that the confirmed emergency airs within a second."""
    data = form.cleaned_data
    text = (data["text"] or "").strip() or actions.text_of(data["bulletin"])
    started = time.monotonic()
    try:
        audio = actions.prepare_audio(text, data["areas"][0])
    except ValidationError as exc:
        _add_errors(form, exc)
        return _start_page(request, form)
    took = time.monotonic() - started
    # A copy, not dict(): dict() keeps one of several areas chosen.
    posted = request.POST.copy()
    posted["audio"], posted["step"] = str(audio.pk), "confirm"
    confirm = StartForm(posted, for_user=request.user, confirm=True)
    confirm.is_valid()
    confirm.errors.clear()
    clusters = clusters_under([a.path for a in data["areas"]]).count()
    return _start_page(
        request,
        confirm,
        confirm=True,
        summary={
            "bulletin": data["bulletin"],
            "areas": data["areas"],
            "repeat": data["repeat"],
            "gap_s": data["gap_s"],
            "text": text,
            "audio": audio,
            "render_s": took,
            "clusters": clusters,
        },
    )


def start_page(
    request,
    *,
    real_form: StartForm | None = None,
    drill_form=None,
    confirm: bool = False,
    summary=None,
):
    """The first two screens of both: an emergency's form and a drill's, one switch apart.

    The drill form is there when the page is for a drill; the other is
    rendered too (hidden), so the switch turns the page over in place.
    """
    from .actions import framing
    from .forms import DrillForm

    drill_mode = drill_form is not None and real_form is None
    if real_form is None:
        real_form = StartForm(for_user=request.user)
    if drill_form is None:
        drill_form = DrillForm(for_user=request.user)
    return TemplateResponse(
        request,
        "emergencies/start.html",
        {
            "real_form": real_form,
            "drill_form": drill_form,
            "drill_mode": drill_mode,
            "confirm": confirm,
            "summary": summary,
            "preamble": framing.preamble(),
            "closing": framing.closing(),
        },
    )


def _start_page(request, form, *, confirm: bool = False, summary=None):
    return start_page(request, real_form=form, confirm=confirm, summary=summary)


def live_page(request, pk: int):
    """The emergency as devices report it, refreshed every second."""
    emergency = get_object_or_404(_visible(request.user), pk=pk)
    context = _live_context(request, emergency)
    if context["can_broadcast"]:
        context["cancel_form"] = CancelForm(for_user=request.user)
    return TemplateResponse(request, "emergencies/live.html", context)


def live_status(request, pk: int):
    """The part of the live page that htmx fetches every second."""
    emergency = get_object_or_404(_visible(request.user), pk=pk)
    return TemplateResponse(
        request, "emergencies/_status.html", _live_context(request, emergency)
    )


def _live_context(request, emergency: Emergency) -> dict:
    return {
        "emergency": emergency,
        "live": live(emergency),
        "areas": list(emergency.target_areas.all()),
        "clusters": list(emergency.target_clusters.all()),
        "can_broadcast": emergency.is_active
        and _can_broadcast(request.user, emergency),
        "audio_url": actions.audio_url(emergency.audio),
    }


def _managed(request, pk: int) -> Emergency:
    emergency = get_object_or_404(_visible(request.user), pk=pk)
    if not _can_broadcast(request.user, emergency):
        raise PermissionDenied
    return emergency


def cancel(request, pk: int):
    """Confirm (with the code where needed), then stop the emergency everywhere.

    From the live page (htmx) the answer replaces the cancel panel in place,
    so the official stays on the screen that counts the clusters.
    """
    emergency = _managed(request, pk)
    back = reverse("emergencies_live", args=[emergency.pk])
    in_place = request.headers.get("HX-Request") == "true"
    if emergency.state != State.ACTIVE:
        if in_place:
            return _actions_panel(
                request, emergency, done=_("This emergency is no longer on the air.")
            )
        return HttpResponseRedirect(back)
    form = CancelForm(
        request.POST if request.method == "POST" else None, for_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel(request.user, emergency, otp=form.cleaned_data.get("otp"))
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            done = (
                _("The drill is cancelled everywhere.")
                if emergency.drill
                else _("The emergency is cancelled everywhere.")
            )
            if in_place:
                return _actions_panel(request, emergency, done=done)
            messages.success(request, done)
            return HttpResponseRedirect(back)
    if in_place:
        return _actions_panel(request, emergency, form=form)
    return TemplateResponse(
        request,
        "emergencies/cancel.html",
        {"emergency": emergency, "form": form, "back": back},
    )


def _actions_panel(request, emergency: Emergency, *, form=None, done: str = ""):
    """The live page's cancel panel; once done, with the status swapped in too."""
    context = {}
    if done:
        emergency.refresh_from_db()
        context = _live_context(request, emergency)
    context.update(
        {
            "emergency": emergency,
            "can_broadcast": True,
            "cancel_form": form or CancelForm(for_user=request.user),
            "done": done,
        }
    )
    return TemplateResponse(request, "emergencies/_actions.html", context)


def update(request, pk: int):
    """Change the words or the repeats; the devices air the new version at once."""
    emergency = _managed(request, pk)
    back = reverse("emergencies_live", args=[emergency.pk])
    if emergency.state != State.ACTIVE:
        return HttpResponseRedirect(back)
    form = UpdateForm(
        request.POST if request.method == "POST" else None,
        for_user=request.user,
        initial={
            "text": emergency.text,
            "repeat": emergency.repeat,
            "gap_s": emergency.gap_s,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update(
                request.user,
                emergency,
                text=data["text"],
                repeat=data["repeat"],
                gap_s=data["gap_s"],
                otp=data.get("otp"),
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The new version is on the air."))
            return HttpResponseRedirect(back)
    return TemplateResponse(
        request,
        "emergencies/update.html",
        {"emergency": emergency, "form": form, "back": back},
    )
