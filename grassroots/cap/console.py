"""Console pages: the warnings received, each on its map, and the decision."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.bulletins.models import PeerSystem

from . import actions
from .forms import ConfirmForm, DismissForm, SourceForm
from .models import CapSource, Outcome, ReceivedAlert


def _visible(user):
    return scope.scope(
        ReceivedAlert.objects.select_related("source__peer", "area", "bulletin"),
        user,
        Capability.VIEW,
        path_field="area__path",
    )


def _sources(user):
    return scope.scope(
        CapSource.objects.select_related("peer__area", "category").prefetch_related(
            "policies"
        ),
        user,
        Capability.VIEW,
        path_field="peer__area__path",
    )


def index(request):
    """List the warnings received in the user's area, those waiting first."""
    outcome = request.GET.get("outcome") or ""
    visible = _visible(request.user)
    if outcome in Outcome.values:
        visible = visible.filter(outcome=outcome)
    waiting = list(_visible(request.user).filter(outcome=Outcome.WAITING)[:50])
    return TemplateResponse(
        request,
        "cap/index.html",
        {
            "alerts": list(visible[:200]),
            "waiting": waiting,
            "outcomes": Outcome.choices,
            "outcome": outcome,
            "sources": list(_sources(request.user)),
            "peers": list(
                scope.scope(
                    PeerSystem.objects.filter(cap_source__isnull=True),
                    request.user,
                    Capability.MANAGE_USERS,
                    path_field="area__path",
                )[:50]
            ),
            "feed_url": reverse("cap:feed"),
        },
    )


def waiting(request):
    """Return the panel of warnings waiting for a decision (the index polls it)."""
    return TemplateResponse(
        request,
        "cap/_waiting.html",
        {"waiting": list(_visible(request.user).filter(outcome=Outcome.WAITING)[:50])},
    )


def _map_data(alert: ReceivedAlert) -> dict:
    areas = list(alert.areas.all())
    points = []
    for area in areas:
        places = (
            Area.objects.under(area)
            .filter(level__in=(Level.COMMUNE, Level.HAMLET), latitude__isnull=False)
            .only("name", "latitude", "longitude", "level")[:500]
        )
        points += [
            {"name": p.name, "lat": p.latitude, "lon": p.longitude} for p in places
        ]
    return {
        "polygons": alert.shapes.get("polygons", []),
        "circles": alert.shapes.get("circles", []),
        "points": points,
        "boundaries": [a.boundary for a in areas if a.boundary],
    }


def detail(request, pk: int):
    """Show one warning: its words, its areas on the map, and the decision to take."""
    alert = get_object_or_404(_visible(request.user), pk=pk)
    may_decide = all(
        scope.can(request.user, Capability.BROADCAST_EMERGENCY, a)
        for a in (list(alert.areas.all()) or [alert.area])
    )
    return TemplateResponse(
        request,
        "cap/detail.html",
        {
            "alert": alert,
            "areas": list(alert.areas.all()),
            "map_data": _map_data(alert),
            "may_decide": may_decide,
            "confirm_form": ConfirmForm(),
            "dismiss_form": DismissForm(),
            "tiles_url": settings.GRASSROOTS_MAP_TILES_URL,
            "tiles_attribution": settings.GRASSROOTS_MAP_TILES_ATTRIBUTION,
            "history": list(
                ReceivedAlert.objects.filter(bulletin=alert.bulletin)
                .exclude(pk=alert.pk)
                .order_by("received_at")
            )
            if alert.bulletin_id
            else [],
        },
    )


def _refusal(request, exc) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(
            request, str(exc) or _("This is outside your area or your role.")
        )
    else:
        messages.error(request, " ".join(exc.messages))


@require_POST
def confirm(request, pk: int):
    alert = get_object_or_404(_visible(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    here = reverse("cap_detail", args=[alert.pk])
    if not form.is_valid():
        messages.error(request, _("Type the code from your authenticator app."))
        return HttpResponseRedirect(here)
    try:
        actions.confirm(request.user, alert, otp=form.cleaned_data["otp"])
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The warning is on the air."))
    return HttpResponseRedirect(here)


@require_POST
def dismiss(request, pk: int):
    alert = get_object_or_404(_visible(request.user), pk=pk)
    form = DismissForm(request.POST)
    here = reverse("cap_detail", args=[alert.pk])
    if not form.is_valid():
        messages.error(request, _("Say why it is set aside."))
        return HttpResponseRedirect(here)
    try:
        actions.dismiss(request.user, alert, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The warning was set aside; nothing airs."))
    return HttpResponseRedirect(here)


def source(request, peer_pk: int):
    """Set what a peer system's CAP warnings become (the province's decision)."""
    peer = get_object_or_404(
        scope.scope(
            PeerSystem.objects.select_related("area"),
            request.user,
            Capability.MANAGE_USERS,
            path_field="area__path",
        ),
        pk=peer_pk,
    )
    existing = CapSource.objects.filter(peer=peer).first()
    initial = {}
    if existing is not None:
        initial = {
            "feed_url": existing.feed_url,
            "poll_minutes": existing.poll_minutes,
            "require_signature": existing.require_signature,
            "certificate": existing.certificate,
            "category": existing.category_id,
            "default_policy": existing.default_policy,
            "policies": "\n".join(
                f"{p.event} = {p.policy}" for p in existing.policies.all()
            ),
        }
    form = SourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_source(
                request.user,
                peer,
                category=data["category"],
                feed_url=data["feed_url"] or "",
                poll_minutes=data["poll_minutes"],
                require_signature=data["require_signature"],
                certificate=data["certificate"] or "",
                default_policy=data["default_policy"],
                policies=data["policies"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The CAP settings were saved."))
            return HttpResponseRedirect(reverse("cap_index"))
    if request.method == "POST" and not form.is_valid() and not form.errors:
        raise Http404
    return TemplateResponse(
        request, "cap/source.html", {"form": form, "peer": peer, "source": existing}
    )
