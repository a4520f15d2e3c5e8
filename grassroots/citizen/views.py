"""The citizen app's pages: the app itself, its manifest and its service worker.

The service worker is served from the site's root so its scope covers the
whole portal (the app, bulletins, the feedback pages).
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from grassroots.areas.words import hamlet_word

#: Bump to drop every cached page and file when the app changes.
VERSION = "1"


def app(request: HttpRequest) -> HttpResponse:
    """Return the app: my hamlet's bulletins, emergencies first, readable offline."""
    text = {
        "choose": _("Choose…"),
        "loading": _("Loading the bulletins…"),
        "loaded": _("Updated at %(time)s."),
        "stale": _("Could not reach the server; showing what was loaded at %(time)s."),
        "none_today": _("No new bulletin today."),
        "none_recent": _("No other bulletin in force."),
        "listen": pgettext("play a recording", "Listen"),
        "stop": pgettext("play a recording", "Stop"),
        "read": _("Read the bulletin"),
        "emergency": _("Emergency"),
        "priority": _("Priority"),
        "need_commune": _("Choose your commune or ward."),
        "failed": _("Could not load the list of places. Check the connection."),
        "push_unsupported": _("This browser cannot receive warnings."),
        "push_denied": _(
            "Notifications are blocked for this site: allow them in the browser's settings."
        ),
        "push_on": _("Warnings are on for %(place)s."),
        "push_off": _("Warnings are off."),
        "push_failed": _("Could not turn warnings on. Try again later."),
    }
    return render(request, "citizen/app.html", {"messages_json": text})


def manifest(request: HttpRequest) -> JsonResponse:
    """Return the Web App Manifest that makes the portal installable."""
    data = {
        "name": _("Grassroots information"),
        "short_name": _("Information"),
        "description": _(
            "Bulletins and warnings for your %(hamlet)s, and feedback to the commune."
        )
        % {"hamlet": hamlet_word()},
        "lang": "vi",
        "start_url": reverse("citizen:app"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a4d8c",
        "icons": [
            {
                "src": static(f"citizen/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ]
        + [
            {
                "src": static("citizen/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            }
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """Return the service worker, never cached by the browser's HTTP cache."""
    shell = [
        reverse("citizen:app"),
        static("portal/portal.css"),
        static("citizen/app.js"),
        static("citizen/app.css"),
        static("citizen/register.js"),
        static("citizen/icon-192.png"),
        reverse("citizen:manifest"),
    ]
    body = render_to_string(
        "citizen/sw.js",
        {
            "shell": json.dumps(shell),
            "icon": json.dumps(static("citizen/icon-192.png")),
            "app_url": json.dumps(reverse("citizen:app")),
            "offline": json.dumps(
                _("You are offline and this page was not saved on this phone."),
                ensure_ascii=False,
            ),
        },
    )
    digest = hashlib.sha256(body.encode()).hexdigest()[:10]
    script = str(body).replace("__CACHE_VERSION__", f"{VERSION}-{digest}")
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
