"""What a board's player calls, at ``/board/<token>/…``: the address is its credential.

Every answer other than the page is JSON; errors are ``{"code", "message"}``
like the API's. An unknown, rotated or revoked address gets 404 at once;
a retired board's address 410.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from grassroots.accounts.audit import client_ip
from grassroots.bulletins.models import Attachment, AttachmentKind

from .. import actions, playlist
from ..models import Board, BoardState
from ..push import stream
from ..push.hub import HUB
from .player import render_player

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
#: Largest report a player may send (500 events fit in well under this).
MAX_REPORT_BYTES = 256 * 1024
MAX_SCREENSHOT_BYTES = 1024 * 1024
#: Open push connections of one board in one web process.
MAX_STREAMS_PER_BOARD = 3
#: Reports and screenshots a board may send per minute.
REPORTS_PER_MINUTE = 20
SCREENSHOTS_PER_MINUTE = 6
PLAYLISTS_PER_MINUTE = 120


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JsonResponse:
        return JsonResponse(
            {"code": self.code, "message": self.message}, status=self.status
        )


def board_for(token: str) -> Board:
    """Return the board whose address this is, or raise ``Refused``."""
    board = None
    if TOKEN.match(token or ""):
        board = Board.objects.select_related("area").filter(player_token=token).first()
    if board is None:
        raise Refused(
            404,
            "unknown_board",
            _("This board address is wrong, or it has been replaced or revoked."),
        )
    if board.state == BoardState.RETIRED:
        raise Refused(410, "retired", _("This board has been retired."))
    return board


def _limit(board: Board, what: str, per_minute: int) -> None:
    key = f"boards:{what}:{board.pk}:{int(timezone.now().timestamp() // 60)}"
    if (cache.get_or_set(key, 0, 120) or 0) >= per_minute:
        raise Refused(429, "too_many", _("Too many requests; try again in a minute."))
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, 120)


def _device(view):
    """Turn ``Refused`` into its JSON answer; mark the view for devices."""

    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponseBase:
        try:
            return view(request, token, *args, **kwargs)
        except Refused as refused:
            return refused.response()

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(never_cache(wrapped))


@require_GET
def page(request: HttpRequest, token: str) -> HttpResponse:
    """Return the player page (a kiosk browser opens it full screen)."""
    try:
        board = board_for(token)
    except Refused as refused:
        response = render(
            request, "boards/gone.html", {"refused": refused}, status=refused.status
        )
        response["Cache-Control"] = "no-store"
        return response
    return render_player(request, board, base=str(board.player_path), preview=False)


@require_GET
@_device
def service_worker(request: HttpRequest, token: str) -> HttpResponse:
    """Return the service worker that keeps the board playing offline."""
    board = board_for(token)
    response = render(
        request,
        "boards/sw.js",
        # A JS file, not HTML: JSON is the right quoting (tokens are URL-safe).
        {"base_json": json.dumps(board.player_path)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@_device
def playlist_json(request: HttpRequest, token: str) -> HttpResponse:
    """Return the board's playlist; ``304`` when the player already has this version."""
    board = board_for(token)
    _limit(board, "playlist", PLAYLISTS_PER_MINUTE)
    data = playlist.build(board, base=str(board.player_path))
    etag = f'"{data["version"]}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    return response


@require_GET
@_device
def events(request: HttpRequest, token: str) -> HttpResponseBase:
    """Hold the push stream open (server-sent events)."""
    board = board_for(token)
    if HUB.count(board.pk) >= MAX_STREAMS_PER_BOARD:
        raise Refused(
            429, "too_many_connections", _("This board is already connected.")
        )
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    last = int(raw) if raw.isdigit() and len(raw) < 19 else None
    body: Iterator[bytes] | AsyncIterator[bytes]
    if isinstance(request, ASGIRequest):
        body = stream.async_stream(board, token, last, playlist.version)
    else:
        body = stream.sync_stream(board, token, last, playlist.version)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _body(request: HttpRequest, limit: int, message: str) -> bytes:
    """Return the request body, refusing it unread when it says it is too big."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > limit:
        raise Refused(413, "too_large", message)
    try:
        body = request.body
    except RequestDataTooBig:  # sent in chunks, without a length
        raise Refused(413, "too_large", message) from None
    if len(body) > limit:
        raise Refused(413, "too_large", message)
    return body


def _json_body(request: HttpRequest, limit: int) -> dict:
    body = _body(request, limit, _("The report is too large."))
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Refused(
            400, "malformed_json", _("The request body is not valid JSON.")
        ) from None
    if not isinstance(data, dict):
        raise Refused(400, "invalid", _("The report must be a JSON object."))
    return data


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise Refused(422, "invalid", _("“%(name)s” must be text.") % {"name": name})
    return value[:limit]


def _event(raw: object) -> actions.ShownEvent:
    if not isinstance(raw, dict):
        raise ValueError
    started = parse_datetime(str(raw.get("started_at", "")))
    duration = raw.get("duration_ms")
    if (
        started is None
        or timezone.is_naive(started)
        or not isinstance(duration, int)
        or isinstance(duration, bool)
        or not isinstance(raw.get("key"), str)
    ):
        raise ValueError
    return actions.ShownEvent(
        event_id=uuid.UUID(str(raw.get("id"))),
        key=raw["key"][:120],
        started_at=started,
        duration_ms=duration,
    )


@require_POST
@_device
def report(request: HttpRequest, token: str) -> HttpResponse:
    """Take the player's heartbeat and display events; say which were kept."""
    board = board_for(token)
    _limit(board, "report", REPORTS_PER_MINUTE)
    data = _json_body(request, MAX_REPORT_BYTES)
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise Refused(422, "invalid", _("“events” must be a list."))
    if len(raw_events) > actions.reports.MAX_EVENTS_PER_REPORT:
        raise Refused(413, "too_many_events", _("Send at most 500 events at a time."))
    parsed, malformed = [], []
    for raw in raw_events:
        try:
            parsed.append(_event(raw))
        except (ValueError, TypeError, AttributeError):
            ident = raw.get("id") if isinstance(raw, dict) else None
            malformed.append({"id": str(ident)[:40], "code": "malformed"})
    showing = data.get("showing") or {}
    if not isinstance(showing, dict):
        raise Refused(422, "invalid", _("“showing” must be an object."))
    result = actions.record_report(
        board,
        events=parsed,
        showing_key=_text(showing, "key", 80),
        showing_title=_text(showing, "title", 255),
        content_version=_text(data, "version", 32),
        viewport=_text(data, "viewport", 20),
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    result.rejected.extend(malformed)
    return JsonResponse({**result.as_dict(), "server_time": timezone.now().isoformat()})


@require_POST
@_device
def screenshot(request: HttpRequest, token: str) -> HttpResponse:
    """Keep a picture of what the board shows (JPEG or PNG, at most 1 MB)."""
    board = board_for(token)
    _limit(board, "screenshot", SCREENSHOTS_PER_MINUTE)
    body = _body(request, MAX_SCREENSHOT_BYTES, _("The screenshot is too large."))
    try:
        status = actions.save_screenshot(board, body)
    except actions.ScreenshotError:
        raise Refused(
            415, "not_an_image", _("The screenshot must be a JPEG, PNG or WebP image.")
        ) from None
    taken = status.screenshot_at or timezone.now()
    return JsonResponse({"taken_at": taken.isoformat()}, status=201)


def media_response(file, content_type: str, etag: str) -> HttpResponseBase:
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Refused(404, "missing", _("The file is missing.")) from None
    response = FileResponse(handle, content_type=content_type)
    # The address holds the content's hash: a new file is a new address.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["ETag"] = f'"{etag}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def item_file(board: Board, pk: int):
    item = playlist.items_for(board).filter(pk=pk).exclude(file="").first()
    if item is None:
        raise Refused(404, "not_found", _("This item is not on the board."))
    return media_response(item.file, item.content_type, item.sha256[:32])


def attachment_file(board: Board, pk: int):
    attachment = Attachment.objects.filter(
        pk=pk,
        kind=AttachmentKind.IMAGE,
        bulletin__in=playlist.bulletins_for(board),
    ).first()
    if attachment is None:
        raise Refused(404, "not_found", _("This picture is not on the board."))
    return media_response(
        attachment.file, attachment.content_type, attachment.sha256[:32]
    )


@require_GET
@csrf_exempt
def media_item(
    request: HttpRequest, token: str, pk: int, digest: str
) -> HttpResponseBase:
    try:
        return item_file(board_for(token), pk)
    except Refused as refused:
        return refused.response()


@require_GET
@csrf_exempt
def media_attachment(
    request: HttpRequest, token: str, pk: int, digest: str
) -> HttpResponseBase:
    try:
        return attachment_file(board_for(token), pk)
    except Refused as refused:
        return refused.response()
