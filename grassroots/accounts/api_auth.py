"""The one session authentication of every staff API: the console's rules, as JSON.

Staff endpoints (``/api/v1/…`` for people signed in to the console) take
``auth=STAFF``. It accepts the console's session only when the console itself
would open: an active account, whose second factor was given in this session
if they have one, and who enrolled one if ``GRASSROOTS_REQUIRE_2FA`` asks them
to. Machines (peer systems, the broker's hooks) keep their own keys.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import SessionAuth

from . import second_factor


class StaffSession(SessionAuth):
    """Django's session, refused until the second factor is given or enrolled."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        from grassroots.api import ApiError

        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        refusal = second_factor.refusal(user)
        if refusal == second_factor.VERIFY:
            raise ApiError(
                401,
                "second_factor_required",
                _("Type the code from your authenticator app in the console first."),
            )
        if refusal == second_factor.ENROL:
            raise ApiError(
                403,
                "second_factor_enrolment_required",
                _("Set up two-step verification in the console first."),
            )
        return user


STAFF = StaffSession()
