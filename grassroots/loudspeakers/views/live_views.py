"""The map of clusters and the cheap endpoint the map and the list poll for live status."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core import inputs

from .. import live
from ..selectors import in_service

LIVE_FIELDS = ("live_status", "live_playing", "live_volume", "live_sync")
MAX_IDS = 500


def _clusters(request: HttpRequest):
    queryset = scope.scope(
        in_service(),
        request.user,
        Capability.VIEW,
    )
    commune = inputs.object_id(request.GET.get("commune"))
    if commune is not None:
        queryset = queryset.filter(station__commune_id=commune)
    return queryset.order_by("code")


def map_view(request: HttpRequest) -> HttpResponse:
    """Show every cluster in the user's area on a map, coloured by live status."""
    if not scope.can_anywhere(request.user, Capability.VIEW):
        raise PermissionDenied
    communes = (
        scope.areas(request.user)
        .communes()
        .filter(radio_station__isnull=False)
        .order_by("name")
    )
    commune = None
    if inputs.object_id(request.GET.get("commune")) is not None:
        commune = get_object_or_404(
            communes, pk=inputs.object_id(request.GET.get("commune"))
        )
    return render(
        request,
        "loudspeakers/map.html",
        {
            "communes": communes,
            "commune": commune,
            "tiles_url": settings.GRASSROOTS_MAP_TILES_URL,
            "tiles_attribution": settings.GRASSROOTS_MAP_TILES_ATTRIBUTION,
            "can_command": commune is not None
            and scope.can(request.user, Capability.COMMAND_DEVICES, commune),
            "poll_s": 10,
        },
    )


@never_cache
def live_json(request: HttpRequest) -> JsonResponse:
    """Return the live status of clusters in scope: ``?commune=ID`` or ``?ids=1,2,3``.

    With ``&cells=1`` each cluster also carries the HTML of its list cells,
    rendered by the same template as the list, so the page updates in place.
    """
    if not scope.can_anywhere(request.user, Capability.VIEW):
        raise PermissionDenied
    queryset = _clusters(request)
    ids = inputs.id_list(request.GET.get("ids"), MAX_IDS)
    if ids:
        queryset = queryset.filter(pk__in=ids)
    now = timezone.now()
    items = live.rows(queryset, now)
    if request.GET.get("cells"):
        for info in items:
            info["cells"] = {
                field: render_to_string(
                    "loudspeakers/includes/live_value.html",
                    {"info": info, "field": field},
                )
                for field in LIVE_FIELDS
            }
    return JsonResponse(
        {"at": now.isoformat(), "summary": live.summary(items), "clusters": items}
    )


def area_for(request: HttpRequest, pk: int) -> Area:
    return get_object_or_404(scope.areas(request.user), pk=pk)
