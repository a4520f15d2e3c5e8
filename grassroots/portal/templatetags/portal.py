"""Small helpers for the portal's templates."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """Return the current URL with ``trang`` (page) set to ``number``."""
    query = context["request"].GET.copy()
    query["trang"] = number
    return "?" + query.urlencode()


@register.simple_tag
def site_name() -> str:
    return settings.WAGTAIL_SITE_NAME


@register.filter
def level_class(level: str) -> str:
    return {"emergency": "lvl-emergency", "priority": "lvl-priority"}.get(level, "")


@register.filter
def audio_of(bulletin):
    """Return the bulletin's first recording, for the "Nghe" button on its card."""
    prefetched = getattr(bulletin, "_prefetched_objects_cache", {}).get("attachments")
    if prefetched is not None:
        return next((a for a in prefetched if a.kind == "audio"), None)
    return bulletin.attachments.filter(kind="audio").order_by("pk").first()
