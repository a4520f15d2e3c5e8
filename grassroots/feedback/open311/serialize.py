"""Feedback items as Open311 service requests, without personal data."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from ..models import Category, Feedback, Status
from ..models.feedback import OPEN_STATUSES


def w3c(value: datetime | None) -> str | None:
    """Return an aware datetime as W3C/ISO 8601 with the local offset."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def status_notes(item: Feedback) -> str:
    target = item.merged_into or item
    if target.public_answer and target.status not in OPEN_STATUSES:
        return target.public_answer
    return str(Status(item.status).label)


def request(item: Feedback, *, full: bool) -> dict:
    """Return one request; ``full`` adds the description and the exact point.

    The list of all requests is public, so there the description shows only
    for items published on the portal, points are rounded to about 100 m, and
    the item is named by its public id: its tracking code opens the whole
    item (and reopening it), so it is shown only to whoever already holds it
    (the client that sent it, or a request made with that code).
    """
    public = full or item.show_on_portal
    lat, lon = item.latitude, item.longitude
    if not public and lat is not None and lon is not None:
        lat, lon = round(lat, 3), round(lon, 3)
    expected = timezone.make_aware(
        datetime.combine(item.due_date, time(17, 0)), timezone.get_current_timezone()
    )
    return {
        "service_request_id": item.code if full else item.public_id,
        "status": "open" if item.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(item),
        "service_name": item.category.name,
        "service_code": item.category.code,
        "description": item.description if public else "",
        "agency_responsible": item.area.name,
        "service_notice": "",
        "requested_datetime": w3c(item.received_at),
        "updated_datetime": w3c(item.updated_at),
        "expected_datetime": w3c(expected),
        "address": item.address if public else "",
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": "",
    }
