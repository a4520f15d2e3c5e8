"""Console pages: the bulletins with their coverage, one bulletin's report, its export."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import access, exports, report, summary

PER_PAGE = 25
LINES_PER_PAGE = 50


def _require_view(request: HttpRequest) -> None:
    if not scope.can_anywhere(request.user, Capability.VIEW):
        raise PermissionDenied


def index(request: HttpRequest) -> HttpResponse:
    """List the published bulletins in the user's area, with how many hamlets heard each."""
    _require_view(request)
    bulletins = access.visible(request.user).select_related("issuing_area")
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        bulletins = bulletins.filter(title__icontains=query)
    if request.GET.get("essential") == "1":
        bulletins = bulletins.filter(is_essential=True)
    page = Paginator(
        bulletins.order_by("-first_published_at", "-pk"), PER_PAGE
    ).get_page(request.GET.get("p"))
    roots = scope.roots(request.user, Capability.VIEW)
    rows = [(b, summary.hamlets_heard(b, roots)) for b in page.object_list]
    return render(
        request,
        "dissemination/index.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "essential": request.GET.get("essential") == "1",
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one bulletin's dissemination report, inside the user's area."""
    _require_view(request)
    bulletin = access.get_visible(request.user, pk)
    roots = scope.roots(request.user, Capability.VIEW)
    result = report.build(bulletin, roots)
    outcome = request.GET.get("outcome") or ""
    clusters = [c for c in result.clusters if not outcome or c.outcome == outcome]
    return render(
        request,
        "dissemination/detail.html",
        {
            "bulletin": bulletin,
            "report": result,
            "outcome": outcome if outcome in report.OUTCOMES else "",
            "outcomes": [
                (key, label, result.count(key))
                for key, label in report.OUTCOMES.items()
            ],
            "hamlets": Paginator(result.hamlets, LINES_PER_PAGE).get_page(
                request.GET.get("hp")
            ),
            "clusters": Paginator(clusters, LINES_PER_PAGE).get_page(
                request.GET.get("cp")
            ),
            "now": timezone.now(),
        },
    )


def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the report as a spreadsheet (the same lines as the page, unpaginated)."""
    _require_view(request)
    bulletin = access.get_visible(request.user, pk)
    result = report.build(bulletin, scope.roots(request.user, Capability.VIEW))
    response = HttpResponse(
        exports.workbook(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="phu-song-ban-tin-{bulletin.pk}.xlsx"'
    )
    return response
