"""The portal's page cache, emptied by a generation counter on every bulletin event.

Pages and API answers are cached under a key that includes the current
generation; a publish, update, withdrawal or expiry bumps the generation
(the portal's channel handler), so every cached page becomes stale at once
without listing keys. Browsers and proxies get an ETag and a short max-age,
and a conditional request that still matches is answered 304 from the cache.
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "portal:generation"
#: Cached pages live this long even if nothing changes (validity dates move on).
PAGE_TTL_S = 120
#: What browsers and proxies may keep without asking again.
BROWSER_MAX_AGE_S = 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def bump() -> None:
    """Make every cached portal page stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def on_bulletin_event(event) -> None:
    """Channel handler: any change to a public bulletin empties the cache."""
    bump()


def page_key(request: HttpRequest, namespace: str = "page") -> str:
    raw = f"{request.path}?{request.GET.urlencode()}|{get_language()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"portal:{namespace}:{generation()}:{digest}"


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return etag in [t.strip() for t in wanted.split(",")] or wanted.strip() == "*"


def finish(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
    """Answer 304 when the client already holds ``etag``; set caching headers."""
    if _matches(request, etag):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE_S)
    patch_vary_headers(response, ("Accept-Language",))
    return response


def cached_page(view):
    """Cache a public GET view's successful responses, with ETag and 304."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = page_key(request)
        hit = cache.get(key)
        if hit is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if hasattr(response, "render"):
                response.render()
            hit = (
                response.content,
                response["Content-Type"],
                etag_for(response.content),
            )
            cache.set(key, hit, PAGE_TTL_S)
        content, content_type, etag = hit
        return finish(request, HttpResponse(content, content_type=content_type), etag)

    return wrapper
