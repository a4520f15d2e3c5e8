"""Console pages beyond the viewsets: play now, pause/resume, and the calendar."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core import inputs
from grassroots.loudspeakers.models import Cluster

from . import actions, rules, status
from .forms import PlayNowForm
from .models import ProgrammeItem, ProgrammeSchedule

DATE_FORMAT = "%d/%m/%Y"


def play_now(request, pk: int):
    """Confirm and air a programme item now on chosen areas or groups."""
    if not scope.can_anywhere(request.user, Capability.OPERATE_BROADCASTS):
        raise PermissionDenied
    item = get_object_or_404(
        scope.scope(ProgrammeItem.objects.select_related("area"), request.user), pk=pk
    )
    form = PlayNowForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            commands = actions.play_now(
                request.user,
                item,
                areas=form.cleaned_data["areas"],
                groups=form.cleaned_data["groups"],
                priority=form.cleaned_data["priority"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(
                None,
                getattr(exc, "messages", None)
                or str(exc)
                or _("This is outside your area or your role."),
            )
        else:
            messages.success(
                request,
                _("“%(title)s” is on air now (%(n)d commands sent).")
                % {"title": item.title, "n": len(commands)},
            )
            return redirect("broadcasts_items:inspect", item.pk)
    return TemplateResponse(
        request,
        "broadcasts/play_now.html",
        {
            "item": item,
            "form": form,
            "back": reverse("broadcasts_items:inspect", args=[item.pk]),
        },
    )


@require_POST
def toggle_schedule(request, pk: int):
    """Pause an active schedule, or resume a paused one."""
    schedule = get_object_or_404(
        scope.scope(ProgrammeSchedule.objects.all(), request.user), pk=pk
    )
    try:
        actions.set_schedule_active(request.user, schedule, not schedule.is_active)
    except PermissionDenied:
        messages.error(request, _("This is outside your area or your role."))
    else:
        messages.success(
            request,
            _("The schedule is active again.")
            if schedule.is_active
            else _("The schedule is paused."),
        )
    return redirect("broadcasts_schedules:inspect", schedule.pk)


def schedules_reaching(commune: Area):
    """Return the active schedules whose targets reach clusters of ``commune``."""
    above = commune.ancestor_paths + [commune.path]
    groups = Cluster.objects.filter(area__path__under=commune.path).values(
        "broadcast_groups"
    )
    return (
        ProgrammeSchedule.objects.filter(is_active=True, item__is_active=True)
        .filter(
            Q(target_areas__path__in=above)
            | Q(target_areas__path__under=commune.path)
            | Q(target_groups__in=groups)
        )
        .distinct()
        .select_related("item")
        .prefetch_related("target_areas", "target_groups")
    )


def _where(schedule: ProgrammeSchedule, commune: Area) -> str:
    names = [
        a.name if a.path.startswith(commune.path) else _("the whole commune")
        for a in schedule.target_areas.all()
    ]
    names += [g.name for g in schedule.target_groups.all()]
    return ", ".join(dict.fromkeys(names))


def calendar(request):
    """What airs where in one commune, a day or a week at a time."""
    communes = scope.areas(request.user).communes().active().order_by("name")
    if not communes.exists():
        raise PermissionDenied
    commune = communes.first()
    if request.GET.get("commune"):
        try:
            commune = communes.get(pk=int(request.GET["commune"]))
        except (ValueError, Area.DoesNotExist):
            raise Http404 from None
    error = ""
    zone = rules.local_zone()
    day = datetime.datetime.now(zone).date()
    if request.GET.get("date"):
        try:
            day = inputs.parse_date(request.GET["date"], (DATE_FORMAT,)) or day
        except ValidationError as exc:
            error = " ".join(exc.messages)
    days = 7 if request.GET.get("days") == "7" else 1
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    end = start + datetime.timedelta(days=days)
    entries: dict[datetime.date, list[dict]] = defaultdict(list)
    for schedule in schedules_reaching(commune):
        for moment in rules.occurrences(schedule, start, end):
            local = moment.astimezone(zone)
            entries[local.date()].append(
                {
                    "time": local,
                    "schedule": schedule,
                    "where": _where(schedule, commune),
                    "url": reverse("broadcasts_schedules:inspect", args=[schedule.pk]),
                }
            )
    rank = {"priority": 0, "normal": 1}
    table = []
    for offset in range(days):
        date = day + datetime.timedelta(days=offset)
        rows = sorted(
            entries.get(date, []),
            key=lambda e: (
                e["time"],
                rank.get(e["schedule"].priority, 2),
                e["schedule"].order,
            ),
        )
        table.append({"date": date, "rows": rows})
    clusters = Cluster.objects.filter(area__path__under=commune.path)
    step = datetime.timedelta(days=days)
    return TemplateResponse(
        request,
        "broadcasts/calendar.html",
        {
            "communes": communes,
            "commune": commune,
            "day": day,
            "days": days,
            "table": table,
            "error": error,
            "sync": status.sync_of(clusters=clusters),
            "previous": (day - step).strftime(DATE_FORMAT),
            "next": (day + step).strftime(DATE_FORMAT),
            "today": datetime.datetime.now(zone).date().strftime(DATE_FORMAT),
            "date_text": day.strftime(DATE_FORMAT),
        },
    )


def schedule_clashes(request):
    """While the operator chooses: the airings the schedule being written would clash with.

    Called by the schedule form as fields change, with the form's fields as
    query parameters; answers a small piece of HTML, so that seeing a clash
    and ticking "I have checked" happen before the one submission.
    """
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from .forms import ProgrammeScheduleForm

    if not scope.can_anywhere(request.user, Capability.OPERATE_BROADCASTS):
        raise PermissionDenied
    form = ProgrammeScheduleForm(data=request.GET, for_user=request.user)
    form.is_valid()  # fills cleaned_data and the instance with what is valid
    data = getattr(form, "cleaned_data", {}) or {}
    schedule = form.instance
    ready = (
        data.get("item")
        and schedule.starts_on
        and schedule.at
        and schedule.rule
        and (data.get("target_areas") or data.get("target_groups"))
    )
    if not ready:
        return HttpResponse("")
    try:
        clashes = actions.find_clashes(
            schedule, data.get("target_areas") or [], data.get("target_groups") or []
        )
    except (ValueError, TypeError, ValidationError):
        # A half-typed recurrence rule: the form says what is wrong on submit.
        return HttpResponse("")
    return HttpResponse(
        render_to_string(
            "broadcasts/_clashes.html",
            {"clashes": [c.description for c in clashes[:5]]},
            request=request,
        )
    )
