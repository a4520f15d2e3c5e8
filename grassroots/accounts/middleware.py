from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import audit, second_factor


class AuditContextMiddleware:
    """Make the request's address and channel known to :func:`audit.record`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.acting_as(audit.origin_of(request)):
            return self.get_response(request)


class SecondFactorMiddleware:
    """Ask for the one-time code before the console opens.

    A user who enrolled a TOTP device must give a code after the password.
    With ``GRASSROOTS_REQUIRE_2FA`` on, users who can put sound on the
    loudspeakers must enrol one first.
    """

    EXEMPT_PREFIXES = (
        "/console/login/",
        "/console/logout/",
        "/console/2fa/",
        "/static/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path
        if (
            user is not None
            and user.is_authenticated
            and path.startswith("/console/")
            and not path.startswith(self.EXEMPT_PREFIXES)
        ):
            query = urlencode({"next": request.get_full_path()})
            if second_factor.has_device(user) and not user.is_verified():
                return HttpResponseRedirect(f"{reverse('accounts:otp_verify')}?{query}")
            if (
                settings.GRASSROOTS_REQUIRE_2FA
                and second_factor.should_enrol(user)
                and not second_factor.has_device(user)
            ):
                return HttpResponseRedirect(f"{reverse('accounts:otp_setup')}?{query}")
        return self.get_response(request)
