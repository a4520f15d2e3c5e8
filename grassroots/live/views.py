"""Console pages of live broadcasts, and the stream server's question about listeners."""

from __future__ import annotations

import base64
import hmac
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.loudspeakers.models import PlayEvent

from . import actions, icecast
from .forms import StartForm
from .models import LiveSession, State


def _visible(user):
    return scope.scope(
        LiveSession.objects.select_related("area", "operator", "bulletin"),
        user,
        Capability.VIEW,
        path_field="area__path",
    )


def _can_speak(user) -> bool:
    return scope.can_anywhere(
        user, Capability.OPERATE_BROADCASTS
    ) or scope.can_anywhere(user, Capability.BROADCAST_EMERGENCY)


def _add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, PermissionDenied):
        form.add_error(None, _("This is outside your area or your role."))
    else:
        form.add_error(None, exc.messages)


def index(request):
    """List the live broadcasts of the user's area: on the air first, then the archive."""
    sessions = list(_visible(request.user).order_by("state", "-created_at")[:200])
    sessions.sort(key=lambda s: (s.state != State.ON_AIR, -s.created_at.timestamp()))
    return TemplateResponse(
        request,
        "live/index.html",
        {
            "sessions": sessions,
            "can_speak": _can_speak(request.user),
            "available": icecast.binary() is not None,
        },
    )


def start(request):
    """Choose where and at which level; the next page opens the microphone."""
    if not _can_speak(request.user):
        raise PermissionDenied
    form = StartForm(
        request.POST if request.method == "POST" else None, for_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.start(
                request.user,
                areas=data["areas"],
                level=data["level"],
                title=data["title"],
                bulletin=data["bulletin"],
                otp=data.get("otp"),
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("live_session", args=[session.pk]))
    return TemplateResponse(
        request,
        "live/start.html",
        {"form": form, "needs_otp": "otp" in form.fields},
    )


def _context(request, session: LiveSession) -> dict:
    events = PlayEvent.objects.filter(item=session.item_id)
    return {
        "session": session,
        "areas": list(session.target_areas.all()),
        "listening": actions.listening(session),
        "is_speaker": session.operator_id == request.user.pk,
        "played": events.filter(kind=PlayEvent.Kind.STARTED)
        .values("cluster")
        .distinct()
        .count(),
        "finished": events.filter(kind=PlayEvent.Kind.FINISHED)
        .values("cluster")
        .distinct()
        .count(),
    }


def session_page(request, pk: int):
    """The speaker's page (microphone, level meter, listeners), or the archive item."""
    session = get_object_or_404(_visible(request.user), pk=pk)
    return TemplateResponse(request, "live/session.html", _context(request, session))


def session_status(request, pk: int):
    """The part of the page htmx fetches every second: state and listeners."""
    session = get_object_or_404(_visible(request.user), pk=pk)
    return TemplateResponse(request, "live/_status.html", _context(request, session))


@require_POST
def microphone(request, pk: int):
    """Give the speaker's page a one-time token to open the microphone socket."""
    session = get_object_or_404(_visible(request.user), pk=pk)
    try:
        token = actions.open_microphone(request.user, session)
    except PermissionDenied as exc:
        return JsonResponse({"code": "forbidden", "message": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse(
            {"code": "not_ready", "message": " ".join(exc.messages)}, status=409
        )
    return JsonResponse(
        {"socket": reverse("live_socket", args=[session.pk]), "token": token}
    )


@require_POST
def end(request, pk: int):
    """End a session from the console (the page's socket is gone, or another operator)."""
    session = get_object_or_404(_visible(request.user), pk=pk)
    try:
        actions.end(request.user, session, "operator")
    except PermissionDenied:
        messages.error(request, _("This is outside your area or your role."))
    else:
        messages.success(request, _("The live broadcast has ended."))
    return HttpResponseRedirect(reverse("live_session", args=[session.pk]))


def recording(request, pk: int):
    """Serve a session's recording to staff who may see the session."""
    session = get_object_or_404(_visible(request.user), pk=pk)
    if not session.recording:
        raise Http404
    response = FileResponse(session.recording.open("rb"), content_type="audio/mpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def socket_placeholder(request, pk: int):
    """Name the socket's address for reverse(); the socket itself is served by ASGI."""
    return HttpResponse(status=426)


@csrf_exempt
@require_POST
def stream_hook(request):
    """Answer Icecast: may this listener listen? (``<authentication type="url">``).

    Icecast shows our hook password; the answer is yes (the header
    ``icecast-auth-user: 1``) only for the token of the session on that
    mount while it is on the air.
    """
    expected = (
        "Basic "
        + base64.b64encode(f"icecast:{icecast.passwords()['hook']}".encode()).decode()
    )
    if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
        return HttpResponse(status=403)
    action = request.POST.get("action", "")
    target = urlsplit(request.POST.get("mount", ""))
    query = parse_qs(target.query)
    client = request.POST.get("client", "")
    if action == "listener_remove":
        actions.listener_left(target.path, client)
        return HttpResponse("")
    if action != "listener_add":
        return HttpResponse("")
    allowed = actions.listener_joined(
        target.path,
        (query.get("token") or [""])[0],
        (query.get("device") or [""])[0],
        client,
        request.POST.get("ip") or None,
    )
    response = HttpResponse("")
    if allowed:
        response["icecast-auth-user"] = "1"
    else:
        response["icecast-auth-message"] = "not allowed"
    return response
