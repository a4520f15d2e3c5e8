"""Clean what people and peer systems write before it is stored.

Rich text from the console comes through Wagtail's editor, which already keeps
to the allowed features; rich text from the API does not, so every body is
sanitised here whatever its source. Plain-text fields refuse markup outright,
with a message, rather than store it escaped.
"""

from __future__ import annotations

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

#: Tags and attributes a bulletin body may hold: Wagtail's own link format
#: (``<a linktype="page" id="3">``) and the structural features of
#: ``BODY_FEATURES``.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "b",
    "strong",
    "i",
    "em",
    "ol",
    "ul",
    "li",
    "a",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "linktype", "id"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_TAG = re.compile(r"<\s*[a-zA-Z!/?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitise_body(value: str) -> str:
    """Return ``value`` with every tag, attribute and URL scheme not allowed removed."""
    value = _CONTROL.sub("", value or "")
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    ).strip()


def body_text(value: str) -> str:
    """Return the words of a rich-text body, for search and for reading aloud."""
    spaced = re.sub(r"<(br|/p|/h[1-6]|/li|hr)[^>]*>", "\n", value or "")
    return html.unescape(strip_tags(spaced)).strip()


def plain_text(value: str | None, label: str) -> str:
    """Return ``value`` trimmed; refuse markup and control characters with a reason."""
    value = (value or "").strip()
    if _TAG.search(value):
        raise ValidationError(
            _("%(field)s must be plain text, without HTML tags.") % {"field": label}
        )
    if _CONTROL.search(value):
        raise ValidationError(
            _("%(field)s contains invisible control characters.") % {"field": label}
        )
    return value
