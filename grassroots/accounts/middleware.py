from __future__ import annotations

from urllib.parse import urlencode

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
    With ``GRASSROOTS_REQUIRE_2FA`` on, users who can broadcast, approve or
    administer must enrol one first. The staff API asks the same question
    (``api_auth``), so neither is a way around the other.
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
            refusal = second_factor.refusal(user)
            if refusal == second_factor.VERIFY:
                return HttpResponseRedirect(f"{reverse('accounts:otp_verify')}?{query}")
            if refusal == second_factor.ENROL:
                return HttpResponseRedirect(f"{reverse('accounts:otp_setup')}?{query}")
        return self.get_response(request)
