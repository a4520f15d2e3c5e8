"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, services, requests, tokens.

Follows http://wiki.open311.org/GeoReport_v2 so existing clients work
unchanged: every resource in ``.json`` and ``.xml``, ``jurisdiction_id`` =
the province code, ``api_key`` required to create requests, errors as a
list of ``{"code", "description"}``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.accounts.audit import client_ip
from grassroots.areas.models import Area
from grassroots.core import inputs

from .. import abuse, actions, codes, jurisdiction
from ..models import Category, Channel, Feedback, Status
from ..models.feedback import OPEN_STATUSES
from . import render, serialize
from .clients import client_for

logger = logging.getLogger(__name__)

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CATEGORY_CACHE_S = 30.0
_categories_at = 0.0
_categories: dict[str, Category] = {}


def _category(code: str) -> Category | None:
    global _categories, _categories_at
    now = time.monotonic()
    if now - _categories_at > CATEGORY_CACHE_S:
        _categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        _categories_at = now
    return _categories.get(code)


def forget() -> None:
    global _categories_at
    _categories_at = 0.0


def _province(request: HttpRequest, fmt: str) -> Area | HttpResponse:
    try:
        return jurisdiction.province(request.GET.get("jurisdiction_id"))
    except ObjectDoesNotExist:
        return render.error(
            fmt,
            404,
            _("jurisdiction_id not found: use the province code."),
            "jurisdiction",
        )


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(
        reverse("open311:discovery", kwargs={"fmt": "json"})
    )
    root = base.rsplit("/", 1)[0] + "/"
    data = {
        "changeset": "2025-07-01T00:00:00+07:00",
        "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": _("Ask the province's feedback office for an API key."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": root,
                "changeset": "2025-07-01T00:00:00+07:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render.respond(
        data,
        fmt,
        root="discovery",
        item_names={"endpoints": "endpoint", "formats": "format"},
    )


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    province = _province(request, fmt)
    if isinstance(province, HttpResponse):
        return province
    data = [serialize.service(c) for c in Category.objects.filter(is_active=True)]
    return render.respond(data, fmt, root="services", item="service")


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    province = _province(request, fmt)
    if isinstance(province, HttpResponse):
        return province
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return render.error(
            fmt,
            404,
            _("service_code not found: %(code)s") % {"code": code},
            "unknown_service",
        )
    data = {"service_code": category.code, "attributes": []}
    return render.respond(
        data, fmt, root="service_definition", item_names={"attributes": "attribute"}
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


def _post_data(request: HttpRequest) -> dict[str, str]:
    """Return the fields of a JSON or form body; ValueError if it cannot be stored.

    Open311 fields are flat strings, so JSON nested deeper than a few levels
    is refused before parsing (Python's parser recurses and gives up at about
    a thousand levels), and a lone UTF-16 surrogate (``\\ud800``), which JSON
    allows but UTF-8 and the database do not, is refused too.
    """
    if request.content_type == "application/json":
        body = request.body or b"{}"
        if _too_deep(body):
            raise ValueError("nested too deeply")
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise ValueError("not an object")
        data = {str(k): str(v) if v is not None else "" for k, v in parsed.items()}
    else:
        data = {k: str(v) for k, v in request.POST.items()}
    for key in ("api_key", "jurisdiction_id"):
        if key not in data and key in request.GET:
            data[key] = request.GET[key]
    for key, value in data.items():
        (key + value).encode("utf-8")  # UnicodeEncodeError: a lone surrogate
    return data


MAX_DEPTH = 20


def _too_deep(body: bytes) -> bool:
    """Return True if the JSON opens more than ``MAX_DEPTH`` brackets at once (linear)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _float(data: dict[str, str], key: str, low: float, high: float) -> float | None:
    raw = (data.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValidationError(_("%(key)s must be a number.") % {"key": key}) from exc
    if not low <= value <= high:
        raise ValidationError(_("%(key)s is out of range.") % {"key": key})
    return value


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        data = _post_data(request)
    except (ValueError, UnicodeError, RecursionError):
        return render.error(
            fmt, 400, _("The request body is not valid JSON."), "malformed_json"
        )
    client = client_for(data.get("api_key"))
    if client is None:
        return render.error(
            fmt, 403, _("A valid api_key is required to create requests."), "api_key"
        )
    try:
        province = jurisdiction.province(data.get("jurisdiction_id"))
    except ObjectDoesNotExist:
        return render.error(
            fmt,
            404,
            _("jurisdiction_id not found: use the province code."),
            "jurisdiction",
        )
    code = (data.get("service_code") or "").strip()
    category = _category(code) if code else None
    if category is None:
        return render.error(
            fmt,
            400,
            _("service_code not found: %(code)s. See services.%(fmt)s for the list.")
            % {"code": code or "—", "fmt": fmt},
            "unknown_service",
        )
    try:
        description = abuse.clean_text(
            data.get("description", ""),
            field="description",
            min_length=10,
            max_length=5000,
        )
        address = abuse.clean_text(
            data.get("address_string", ""), field="address_string", max_length=255
        )
        name = abuse.clean_text(
            f"{data.get('last_name', '')} {data.get('first_name', '')}".strip(),
            field="first_name/last_name",
            max_length=120,
        )
        phone = abuse.clean_phone(data.get("phone", ""))
        email = (data.get("email") or "").strip()
        if email:
            from django.core.validators import validate_email

            validate_email(email)
        latitude = _float(data, "lat", -90, 90)
        longitude = _float(data, "long", -180, 180)
        if (latitude is None) != (longitude is None):
            raise ValidationError(_("Send both lat and long, or neither."))
        place = _place(province, data.get("address_id", ""))
        media_url = (data.get("media_url") or "").strip()[:500]
        if media_url and not media_url.startswith(("http://", "https://")):
            raise ValidationError(_("media_url must be an http(s) link."))
        files = (
            abuse.check_files(request.FILES.getlist("media")) if request.FILES else []
        )
    except ValidationError as exc:
        return render.error(fmt, 400, " ".join(exc.messages), "invalid")
    try:
        abuse.check_rates(
            ip=client_ip(request),
            contacts=[phone, email],
            client_key=str(client.pk),
            client_limit=client.per_minute,
        )
    except abuse.RateLimited as exc:
        response = render.error(fmt, 429, exc.message, "rate_limited")
        response["Retry-After"] = str(exc.retry_after)
        return response
    from ..models import ApiClient

    item = actions.submit(
        actions.Submission(
            category=category,
            description=description,
            channel=Channel.OPEN311,
            place=place,
            latitude=latitude,
            longitude=longitude,
            address=address,
            citizen_name=name,
            phone=phone,
            email=email,
            consent=bool(name or phone or email),
            files=files,
            ip_address=client_ip(request),
            device_id=(data.get("device_id") or "")[:100],
            api_client=ApiClient(pk=client.pk, name=client.name),
            media_url=media_url,
        ),
        province=province,
    )
    body = [
        {
            "service_request_id": item.code,
            "token": item.code,
            "service_notice": _("To be answered by %(date)s.")
            % {"date": item.due_date.strftime("%d/%m/%Y")},
            "account_id": data.get("account_id", ""),
        }
    ]
    return render.respond(
        body, fmt, root="service_requests", item="request", status=201
    )


def _place(province: Area, address_id: str) -> Area | None:
    """Return the area an Open311 ``address_id`` names: an area path such as 82/28261/H01."""
    raw = (address_id or "").strip().strip("/")
    if not raw:
        return None
    place = Area.objects.filter(path=raw + "/", is_active=True).first()
    if place is None or not place.path.startswith(province.path):
        raise ValidationError(_("address_id is not an area of this province."))
    return place


def _parse_date(raw: str | None, key: str) -> datetime | None:
    if not raw:
        return None
    message = _("%(key)s must be a W3C date-time, e.g. 2025-07-01T00:00:00+07:00.") % {
        "key": key
    }
    try:
        # Offsets of 24 h or more are well formed but invalid: ValueError.
        value = parse_datetime(raw.strip()[:64].replace(" ", "+"))
    except ValueError as exc:
        raise ValidationError(message) from exc
    if value is None:
        raise ValidationError(message)
    inputs.check_year(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    province = _province(request, fmt)
    if isinstance(province, HttpResponse):
        return province
    params = request.GET
    items = Feedback.objects.filter(
        area__path__under=province.path, merged_into=None
    ).select_related("category", "area", "merged_into")
    client = client_for(params.get("api_key"))
    asked = [x.strip() for x in params.get("service_request_id", "").split(",")]
    asked = [x for x in asked if x][:MAX_RESULTS]
    tracking = [c for c in (codes.normalise(x) for x in asked) if c]
    try:
        if asked:
            items = items.filter(Q(public_id__in=asked) | Q(code__in=tracking))
        else:
            start = _parse_date(params.get("start_date"), "start_date")
            end = _parse_date(params.get("end_date"), "end_date")
            end = end or timezone.now()
            start = start or end - MAX_SPAN
            if end - start > MAX_SPAN:
                raise ValidationError(
                    _("start_date and end_date may be at most 90 days apart.")
                )
            items = items.filter(received_at__gte=start, received_at__lte=end)
            service_codes = [c for c in params.get("service_code", "").split(",") if c]
            if service_codes:
                items = items.filter(category__code__in=service_codes)
            statuses = {
                s.strip() for s in params.get("status", "").split(",") if s.strip()
            }
            if statuses - {"open", "closed"}:
                raise ValidationError(_("status must be open or closed."))
            if statuses == {"open"}:
                items = items.filter(status__in=OPEN_STATUSES)
            elif statuses == {"closed"}:
                items = items.filter(status__in=[Status.ANSWERED, Status.CLOSED])
    except ValidationError as exc:
        return render.error(fmt, 400, " ".join(exc.messages), "invalid")
    data = [
        serialize.request(
            item, full=client is not None and item.api_client_id == client.pk
        )
        for item in items.order_by("-received_at")[:MAX_RESULTS]
    ]
    return render.respond(data, fmt, root="service_requests", item="request")


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    province = _province(request, fmt)
    if isinstance(province, HttpResponse):
        return province
    code = codes.normalise(request_id)
    found = Feedback.objects.select_related("category", "area", "merged_into").filter(
        area__path__under=province.path
    )
    # A tracking code shows the item in full; a public id, what the list shows.
    item = found.filter(code=code).first() if code else None
    full = item is not None
    if item is None and request_id.strip():
        item = found.filter(public_id=request_id.strip()[:20]).first()
    if item is None:
        try:
            abuse.check_track_rate(client_ip(request))
        except abuse.RateLimited as exc:
            return render.error(fmt, 429, exc.message, "rate_limited")
        return render.error(fmt, 404, _("No request has this id."), "not_found")
    return render.respond(
        [serialize.request(item, full=full)],
        fmt,
        root="service_requests",
        item="request",
    )


@require_GET
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """Return the request id for a token; ours are issued at once and equal the id."""
    code = codes.normalise(token_id)
    if not code or not Feedback.objects.filter(code=code).exists():
        return render.error(fmt, 404, _("No request has this token."), "not_found")
    return render.respond(
        [{"service_request_id": code, "token": code}],
        fmt,
        root="service_requests",
        item="request",
    )
