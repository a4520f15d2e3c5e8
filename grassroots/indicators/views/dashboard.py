"""The indicator dashboard of the console, scoped to the user's areas."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area

from .. import actions, maps, periods, registry, reports, service, snapshots
from ..models import ExportFormat, ExportKind
from .context import breadcrumbs, selection


def _card(result: service.Result, trend) -> dict:
    spec = result.spec
    m = result.measure
    return {
        "spec": spec,
        "result": result,
        "value": reports.format_value(result.value, spec.unit),
        "numerator": reports.format_number(m.numerator) if m else "",
        "denominator": reports.format_number(m.denominator) if m else "",
        "target_2025": reports.format_goal(spec.target_2025, spec.unit),
        "target_2030": reports.format_goal(spec.target_2030, spec.unit),
        "target_now": reports.format_target(spec, result.end),
        "trend": [
            {
                "month": month.strftime("%m/%Y"),
                "value": float(v.value) if v.value is not None else None,
            }
            for month, v in trend
        ]
        if trend
        else [],
        "target": float(result.target) if result.target is not None else None,
    }


def _query(area_param: str, start, end, **extra: str) -> str:
    """Return the query string of this page for another area (or mode)."""
    return urlencode(
        {
            "area": area_param,
            "from": periods.label(start),
            "to": periods.label(end),
            **extra,
        }
    )


def _row(child: Area, cells: list[dict], drill: bool, start, end) -> SafeString:
    """Return one row of the units table as HTML.

    Built here rather than in the template: a province has a hundred and more
    communes times nine indicators, and the template engine took a third of
    the page's time over those cells.
    """
    name = (
        format_html('<a href="?{}">{}</a>', _query(child.path, start, end), child.name)
        if drill
        else conditional_escape(child.name)
    )
    return format_html(
        '<th scope="row">{}</th>{}',
        name,
        format_html_join(
            "",
            '<td class="gr-cell gr-{}">{} <span class="gr-muted">{}</span></td>',
            ((c["status"], c["value"], c["parts"]) for c in cells),
        ),
    )


def _roots(user) -> list:
    """Return the user's areas when there are several, to switch between them."""
    paths = scope.roots(user, Capability.VIEW)
    if not paths or len(paths) < 2:
        return []
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def dashboard(request: SignedInRequest) -> HttpResponse:
    """Show each indicator against its target, its trend, the units below, a map."""
    if not scope.can_anywhere(request.user, Capability.VIEW):
        raise PermissionDenied
    with service.reading(live=request.GET.get("live") == "1"):
        return _dashboard(request)


def _dashboard(request: SignedInRequest) -> HttpResponse:
    sel = selection(request)
    area, start, end = sel.area, sel.start, sel.end
    results = service.results(area, start, end)
    cards = []
    for result in results:
        trend = (
            service.trend(registry.get(result.spec.code), area, end)
            if result.available
            else None
        )
        cards.append(_card(result, trend))
    children, entries, table = service.breakdown(area, start, end)
    map_code = request.GET.get("map") or (entries[0].spec.code if entries else "")
    rows = []
    features = []
    # One query for the whole table rather than one per row.
    parents = set(
        Area.objects.filter(parent__in=[c for c in children if c.level >= 4])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    for child in children:
        cells = []
        for entry in entries:
            res = table[entry.spec.code].get(child.pk)
            cells.append(
                {
                    "value": reports.format_value(res.value, entry.spec.unit)
                    if res
                    else "—",
                    "parts": f"{reports.format_number(res.measure.numerator)}/{reports.format_number(res.measure.denominator)}"
                    if res and res.measure and res.measure.denominator
                    else "",
                    "status": res.status if res else "none",
                }
            )
            if (
                entry.spec.code == map_code
                and res
                and child.latitude is not None
                and child.longitude is not None
            ):
                features.append(
                    maps.Feature(
                        child.latitude,
                        child.longitude,
                        f"{child.name}: {reports.format_value(res.value, entry.spec.unit)}",
                        res.status_label,
                        maps.STATUS_COLOURS[res.status],
                        "?" + _query(child.path, start, end),
                    )
                )
        drill = child.level < 4 or child.pk in parents
        rows.append(_row(child, cells, drill, start, end))
    map_layers = [
        {
            "code": "units",
            "label": _("Units below: %(indicator)s")
            % {
                "indicator": next(
                    (str(e.spec.name) for e in entries if e.spec.code == map_code), ""
                )
            },
            "features": [asdict(f) for f in features],
        },
        *maps.layers(area, request.user),
    ]
    centre = None
    if area is not None and area.latitude is not None:
        centre = [area.latitude, area.longitude]
    context = {
        "selection": sel,
        "area": area,
        "area_name": area.full_name if area else _("Whole country"),
        "crumbs": breadcrumbs(request, area),
        "roots": _roots(request.user),
        "from_label": periods.label(start),
        "to_label": periods.label(end),
        "cards": cards,
        "pending": [c for c in cards if not c["result"].available],
        "entries": entries,
        "rows": rows,
        "map_code": map_code,
        "map_data": {
            "tiles": settings.GRASSROOTS_MAP_TILES_URL,
            "attribution": settings.GRASSROOTS_MAP_TILES_ATTRIBUTION,
            "centre": centre,
            "outline": area.boundary if area is not None else None,
            "layers": map_layers,
        },
        "provisional_as_of": service.provisional_as_of(),
        "provisional_minutes": snapshots.provisional_minutes(),
        "live_query": _query(sel.area_param, start, end, live="1"),
        "can_export": actions.can_export(request.user, area),
        "export_url": reverse("indicators_export"),
        "export_kinds": ExportKind.choices,
        "export_formats": ExportFormat.choices,
        "chart_data": {
            c["spec"].code: {"trend": c["trend"], "target": c["target"]} for c in cards
        },
    }
    for error in sel.errors:
        messages.error(request, error)
    return render(request, "indicators/dashboard.html", context)
