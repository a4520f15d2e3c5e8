"""Render the player page, for a board and for the console's preview of it.

The page is plain HTML, one stylesheet and three small scripts; everything
it shows comes from the playlist (JSON) and is put on screen as text by the
scripts. A strict Content-Security-Policy makes sure nothing else runs:
scripts only from this site, no inline script, frames only from the
province's allowed sites.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import Board
from ..playlist import allowed_origins


def labels() -> dict[str, Any]:
    """Return the words the player shows, in Vietnamese (boards are public in Vietnam)."""
    return {
        "levels": {
            "emergency": pgettext("board badge", "Emergency"),
            "priority": pgettext("board badge", "Priority"),
            "normal": pgettext("board badge", "Notice"),
            "drill": pgettext("drill mark", "TEST"),
        },
        "page": _("Page {n} of {total}"),
        "weekdays": [
            pgettext("board clock", "Monday"),
            pgettext("board clock", "Tuesday"),
            pgettext("board clock", "Wednesday"),
            pgettext("board clock", "Thursday"),
            pgettext("board clock", "Friday"),
            pgettext("board clock", "Saturday"),
            pgettext("board clock", "Sunday"),
        ],
        "emergency_heading": _("Emergency announcement"),
        "drill_heading": _("Test of the warning system: not a real emergency"),
        "since": _("Since {time}"),
        "source": pgettext("board footer", "Source"),
        "published": pgettext("board footer", "Published"),
        "offline": _(
            "No connection to the server: showing the content saved on this board"
        ),
        "nothing": _("No bulletins at the moment"),
        "revoked": _(
            "This board has been switched off. Please contact the administrator."
        ),
        "webpage": _("Web page"),
        "of": _("{n} of {total}"),
    }


def csp(frame_origins: list[str] | set[str], *, framed_by_console: bool) -> str:
    frames = " ".join(sorted(frame_origins)) or "'none'"
    ancestors = "'self'" if framed_by_console else "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            f"frame-src {frames}",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


def render_player(
    request: HttpRequest, board: Board, *, base: str, preview: bool
) -> HttpResponse:
    """Return the player page of ``board``; its URLs all start with ``base``."""
    origins = allowed_origins(board)
    with translation.override("vi"):
        config = {
            "base": base,
            "playlist": f"{base}playlist.json",
            "events": None if preview else f"{base}events",
            "report": None if preview else f"{base}report",
            "screenshot": None if preview else f"{base}screenshot",
            "sw": None if preview else f"{base}sw.js",
            "css": static("boards/player.css"),
            "preview": preview,
            "frame_origins": sorted(origins),
            "board": {"code": board.code, "name": board.name},
            "labels": labels(),
        }
        response = render(
            request,
            "boards/player.html",
            {"board": board, "config": config, "preview": preview},
        )
    response["Content-Security-Policy"] = csp(origins, framed_by_console=preview)
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    if preview:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response
