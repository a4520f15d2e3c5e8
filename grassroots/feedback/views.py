"""Public pages: send feedback, follow it by code, reopen it. No login needed."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts.audit import client_ip
from grassroots.areas.models import Area, Level
from grassroots.core import private_files

from . import abuse, actions, codes, jurisdiction
from .actions.handling import can_reopen
from .forms import FeedbackForm, ReopenForm, TrackForm
from .models import Attachment, Channel, Event, EventKind, Feedback, Status

logger = logging.getLogger(__name__)

#: Event kinds shown to the citizen, with a sentence each.
PUBLIC_KINDS = (
    EventKind.RECEIVED,
    EventKind.ASSIGNED,
    EventKind.REASSIGNED,
    EventKind.STARTED,
    EventKind.ANSWERED,
    EventKind.CLOSED,
    EventKind.REOPENED,
    EventKind.MERGED,
)


def _province_or_404() -> Area:
    try:
        return jurisdiction.province()
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _map_context(province: Area) -> dict:
    points = [
        {"id": pk, "name": name, "lat": lat, "lon": lon, "commune": parent}
        for pk, name, lat, lon, parent in Area.objects.under(province)
        .filter(level=Level.HAMLET, is_active=True)
        .exclude(latitude=None)
        .values_list("pk", "name", "latitude", "longitude", "parent_id")
    ]
    return {
        "map_points": points,
        "map_tiles_url": settings.GRASSROOTS_MAP_TILES_URL,
        "map_attribution": settings.GRASSROOTS_MAP_TILES_ATTRIBUTION,
        "map_centre": json.dumps(
            [province.latitude or 10.46, province.longitude or 105.63]
        ),
    }


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """Show the form; on a valid post, receive the feedback and show its code."""
    province = _province_or_404()
    form = FeedbackForm(request.POST or None, request.FILES or None, province=province)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Pretend it worked, so the bot learns nothing; store nothing.
            logger.info("Honeypot filled from %s", client_ip(request))
            return render(request, "feedback/public/bot.html", status=200)
        if form.is_valid():
            data = form.cleaned_data
            try:
                abuse.check_rates(
                    ip=client_ip(request),
                    contacts=[data["phone"], data["email"]],
                    client_key=None,
                    client_limit=0,
                )
                item = actions.submit(
                    actions.Submission(
                        category=data["category"],
                        description=data["description"],
                        channel=Channel.WEB,
                        place=data["place"],
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        address=data["address"],
                        citizen_name=data["citizen_name"],
                        phone=data["phone"],
                        email=data["email"],
                        consent=data["consent"],
                        files=data["files"],
                        ip_address=client_ip(request),
                    ),
                    province=province,
                )
            except abuse.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
            else:
                return redirect(reverse("feedback:track", args=[item.code]) + "?new=1")
        else:
            status = 400
    return render(
        request,
        "feedback/public/form.html",
        {"form": form, "province": province, **_map_context(province)},
        status=status,
    )


def lookup(request: HttpRequest) -> HttpResponse:
    """Find feedback by the code typed in; refuse floods of wrong codes."""
    form = TrackForm(request.GET or None)
    status = 200
    if request.GET and form.is_valid():
        code = codes.normalise(form.cleaned_data["code"])
        if code and Feedback.objects.filter(code=code).exists():
            return redirect("feedback:track", code=code)
        try:
            abuse.check_track_rate(client_ip(request))
        except abuse.RateLimited as exc:
            form.add_error("code", exc.message)
            status = 429
        else:
            form.add_error(
                "code",
                _(
                    "No feedback has this code. Check the letters and digits and try again."
                ),
            )
            status = 404
    # Errors added after validation are tied to the field too (aria-describedby).
    form._describe()
    return render(request, "feedback/public/lookup.html", {"form": form}, status=status)


def _public_events(item: Feedback) -> list[Event]:
    return list(
        item.events.filter(is_public=True, kind__in=PUBLIC_KINDS)
        .select_related("to_area")
        .order_by("at", "id")
    )


def track(request: HttpRequest, code: str) -> HttpResponse:
    """Show the status, public history and public answer of one item."""
    canonical = codes.normalise(code)
    item = (
        Feedback.objects.select_related("category", "area", "place", "merged_into")
        .filter(code=canonical)
        .first()
        if canonical
        else None
    )
    if item is None:
        try:
            abuse.check_track_rate(client_ip(request))
        except abuse.RateLimited as exc:
            return render(
                request,
                "feedback/public/lookup.html",
                {"form": TrackForm(), "error": exc.message},
                status=429,
            )
        return render(
            request,
            "feedback/public/lookup.html",
            {
                "form": TrackForm(),
                "error": _(
                    "No feedback has this code. Check the letters and digits and try again."
                ),
            },
            status=404,
        )
    if canonical != code:
        return redirect("feedback:track", code=canonical)
    shown = item.merged_into or item
    response = render(
        request,
        "feedback/public/track.html",
        {
            "item": item,
            "shown": shown,
            "events": _public_events(item),
            "answer_events": _public_events(shown) if shown is not item else [],
            "attachments": Attachment.objects.filter(feedback=shown, is_public=True),
            "is_new": request.GET.get("new") == "1",
            "reopen_form": ReopenForm() if can_reopen(item) else None,
            "steps": _steps(item),
        },
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _steps(item: Feedback) -> list[dict]:
    order = [
        Status.RECEIVED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.ANSWERED,
        Status.CLOSED,
    ]
    reached = order.index(Status(item.status))
    return [
        {"label": s.label, "done": i <= reached, "current": i == reached}
        for i, s in enumerate(order)
    ]


@require_POST
def reopen(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Feedback, code=codes.normalise(code) or "-")
    form = ReopenForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            abuse.check_reopen_rate(client_ip(request))
            actions.reopen(item, form.cleaned_data["reason"])
        except abuse.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("feedback:track", code=item.code)
    return render(
        request,
        "feedback/public/track.html",
        {
            "item": item,
            "shown": item,
            "events": _public_events(item),
            "attachments": [],
            "reopen_form": form,
            "steps": _steps(item),
        },
        status=status,
    )


def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Serve a public attachment (of a public answer); citizens' own files stay private."""
    found = get_object_or_404(Attachment, pk=pk, is_public=True)
    return private_files.send(
        found.file, found.content_type, cache="public, max-age=3600"
    )
