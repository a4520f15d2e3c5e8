"""The JSON API (``/api/v1/``): one NinjaAPI, a router per app, one error format.

Every error is JSON ``{"code": ..., "message": ...}`` (plus ``errors`` for
invalid input), with a message in the request's language, so clients can act
on the code and show the message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

#: (URL prefix, router) for each app with an API; apps add their line here.
ROUTERS = (
    ("/areas/", "grassroots.areas.api.router"),
    ("/bulletins/", "grassroots.bulletins.api.router"),
    ("/public/", "grassroots.portal.api.router"),
    ("/loudspeakers/", "grassroots.loudspeakers.api.router"),
    ("/feedback/", "grassroots.feedback.api.router"),
    ("/boards/", "grassroots.boards.api.router"),
    ("/dissemination/", "grassroots.dissemination.api.router"),
    ("/cap/", "grassroots.cap.api.router"),
    ("/citizen/", "grassroots.citizen.api.router"),
)


class ApiError(HttpError):
    """An error with a stable machine-readable ``code``, raised by endpoints."""

    def __init__(self, status_code: int, code: str, message: str, **extra):
        super().__init__(status_code, message)
        self.code = code
        self.extra = extra


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, **extra}, status=status
    )


class StrictJsonParser(Parser):
    """JSON bodies that can be stored: no lone UTF-16 surrogate (``"\\ud800"``).

    JSON allows one; UTF-8 and both databases do not, so saving it failed
    with a 500. Any error here becomes ninja's "Cannot parse request body",
    which ``http_error`` below answers as 400 ``malformed_json``; so does
    JSON nested past Python's recursion limit.
    """

    def parse_body(self, request):
        data = super().parse_body(request)
        _check_encodable(data)
        return data


def _check_encodable(value, depth: int = 0) -> None:
    if depth > 100:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_encodable(key, depth + 1)
            _check_encodable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_encodable(item, depth + 1)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        parser=StrictJsonParser(),
        title="Grassroots information system API",
        version="1",
        description="Bulletins, areas, devices and feedback of the grassroots information system. See docs/api.md.",
        urls_namespace="api",
    )
    for prefix, router in ROUTERS:
        api.add_router(prefix, router)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        json_broken = any(
            e.get("type") == "json_invalid" for e in exc.errors if isinstance(e, dict)
        )
        if json_broken:
            return error_response(
                api,
                request,
                400,
                "malformed_json",
                _("The request body is not valid JSON."),
            )
        return error_response(
            api,
            request,
            422,
            "invalid",
            _("Some fields are missing or have the wrong type."),
            errors=exc.errors,
        )

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request, exc):
        errors = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {"__all__": exc.messages}
        )
        return error_response(
            api, request, 400, "invalid", " ".join(exc.messages), errors=errors
        )

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return error_response(
            api, request, exc.status_code, exc.code, exc.message, **exc.extra
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            api, request, 401, "unauthenticated", _("Log in or send a valid API key.")
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # django-ninja reports a body it cannot parse this way, not as a
            # validation error.
            return error_response(
                api,
                request,
                400,
                "malformed_json",
                _("The request body is not valid JSON."),
            )
        return error_response(api, request, exc.status_code, "error", str(exc))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(
            api, request, 403, "forbidden", _("This is outside your area or your role.")
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(
            api,
            request,
            404,
            "not_found",
            _("Nothing here, or it is outside your area."),
        )

    return api


api = build_api()
