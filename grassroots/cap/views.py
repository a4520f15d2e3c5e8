"""Public CAP pages: the Atom feed and each signed message, for any CAP-aware system."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from . import outbound
from .models import OutboundAlert


@require_GET
def feed(request):
    """Serve the Atom feed of the last days' messages (made up to date first)."""
    outbound.sync()
    return HttpResponse(outbound.feed(), content_type="application/atom+xml")


@require_GET
def alert(request, pk: int):
    """Serve one message as it was signed."""
    message = OutboundAlert.objects.filter(pk=pk).first()
    if message is None:
        raise Http404
    return HttpResponse(message.xml.encode(), content_type="application/cap+xml")


@require_GET
def certificate(request):
    """Serve the certificate our messages' signatures are checked with."""
    return HttpResponse(outbound.certificate(), content_type="application/x-pem-file")
