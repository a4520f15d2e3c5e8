"""Ask for an export, follow its progress (htmx polling), download the file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability

from .. import actions
from ..models import Export
from .context import selection


def _visible(request: SignedInRequest, pk: int) -> Export:
    """Return the export if the user may see it; otherwise 404, as if absent."""
    export = get_object_or_404(Export.objects.select_related("area"), pk=pk)
    if not actions.can_download(request.user, export):
        raise Http404
    return export


@require_POST
def request_export(request: SignedInRequest) -> HttpResponse:
    """Queue an export of the dashboard's area and period, then show its progress."""
    if not scope.can_anywhere(request.user, Capability.EXPORT_REPORTS):
        raise PermissionDenied
    sel = selection(request, request.POST)
    back = (
        reverse("indicators_dashboard")
        + "?"
        + urlencode(
            {
                "area": sel.area_param,
                "from": request.POST.get("from", ""),
                "to": request.POST.get("to", ""),
            }
        )
    )
    if sel.errors:
        for error in sel.errors:
            messages.error(request, error)
        return redirect(back)
    try:
        export = actions.request_export(
            request.user,
            kind=request.POST.get("kind", ""),
            format=request.POST.get("format", ""),
            area=sel.area,
            start=sel.start,
            end=sel.end,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    return redirect("indicators_export_status", pk=export.pk)


def export_status(request: SignedInRequest, pk: int) -> HttpResponse:
    export = _visible(request, pk)
    return render(request, "indicators/export_status.html", {"export": export})


def export_progress(request: SignedInRequest, pk: int) -> HttpResponse:
    """Return the progress fragment; htmx polls it until the export is finished."""
    export = _visible(request, pk)
    return render(request, "indicators/_export_progress.html", {"export": export})


def download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    export = _visible(request, pk)
    try:
        path = actions.open_export(request.user, export)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators_export_status", pk=export.pk)
    content_type = (
        "application/pdf"
        if export.format == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type=content_type,
    )
