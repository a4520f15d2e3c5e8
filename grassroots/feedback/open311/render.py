"""Write Open311 GeoReport v2 answers as JSON or XML, in the spec's shapes."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - writing only, never parsing

from django.http import HttpResponse

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}


def _to_xml(
    parent: ET.Element, name: str, value: Any, item_names: dict[str, str]
) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, sub in value.items():
            _to_xml(element, key, sub, item_names)
    elif isinstance(value, list | tuple):
        child = item_names.get(name, name.rstrip("s"))
        for sub in value:
            _to_xml(element, child, sub, item_names)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def respond(
    data: Any,
    fmt: str,
    *,
    root: str,
    item: str | None = None,
    status: int = 200,
    item_names: dict[str, str] | None = None,
) -> HttpResponse:
    """Return ``data`` as JSON, or as XML under ``root`` (lists become ``item`` elements)."""
    if fmt == "xml":
        names = {root: item or root.rstrip("s"), **(item_names or {})}
        top = ET.Element("__top__")
        _to_xml(top, root, data, names)
        body = ET.tostring(top[0], encoding="unicode")
        content = '<?xml version="1.0" encoding="utf-8"?>\n' + body
    else:
        content = json.dumps(data, ensure_ascii=False, default=str)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str, code: str = "") -> HttpResponse:
    """Return an Open311 error list: ``[{"code": 400, "description": "..."}]``.

    ``code`` is the HTTP status, as the spec says; our own machine-readable
    reason is added as ``reason`` (clients ignore fields they do not know).
    """
    entry: dict[str, Any] = {"code": status, "description": description}
    if code:
        entry["reason"] = code
    response = respond([entry], fmt, root="errors", item="error", status=status)
    return response
