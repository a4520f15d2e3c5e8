"""Panels other apps add to a bulletin's console page, through a Wagtail hook.

An app registers ``@hooks.register("bulletin_inspect_panels")`` with a
function ``(request, bulletin) -> str`` (safe HTML, or "" to add nothing);
the bulletin's inspect template renders ``{% bulletin_panels object %}``.
So several apps (boards, dissemination, …) add to one page without each
overriding its template.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from wagtail import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def bulletin_panels(context, bulletin) -> str:
    request = context.get("request")
    parts = [fn(request, bulletin) for fn in hooks.get_hooks("bulletin_inspect_panels")]
    return format_html_join("", "{}", ((p,) for p in parts if p))
