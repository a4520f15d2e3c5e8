"""Time-based one-time codes (TOTP, RFC 6238) as a second factor, via django-otp."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import scope
from .roles import SECOND_FACTOR_CAPABILITIES

if TYPE_CHECKING:
    from .models import User


def has_device(user: User) -> bool:
    """Return True if the user confirmed a TOTP device."""
    return user_has_device(user, confirmed=True)


def should_enrol(user: User) -> bool:
    """Return True if the user can broadcast, approve or administer somewhere."""
    return any(scope.can_anywhere(user, c) for c in SECOND_FACTOR_CAPABILITIES)


#: What stands between a signed-in user and the staff pages or APIs.
VERIFY = "verify"
ENROL = "enrol"


def refusal(user: User) -> str | None:
    """Return what the user must still do before any staff page or API opens.

    ``VERIFY``: they have a device and this session has not given its code;
    ``ENROL``: ``GRASSROOTS_REQUIRE_2FA`` is on and they must set one up
    first; None: nothing. The console's middleware and the API's session
    authentication both ask here, so the two cannot drift apart.
    """
    from django.conf import settings

    if has_device(user):
        verified = getattr(user, "is_verified", None)
        return None if verified is not None and verified() else VERIFY
    if settings.GRASSROOTS_REQUIRE_2FA and should_enrol(user):
        return ENROL
    return None


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def qr_svg(device: TOTPDevice) -> str:
    """Return the enrolment QR code of ``device`` as inline SVG for the page."""
    import segno

    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, xmldecl=False
    )
    return buffer.getvalue().decode()


def is_fresh(user: User, token: str) -> bool:
    """Return True if ``token`` is a valid code of one of the user's devices.

    Used to confirm a dangerous action (an emergency) with a fresh code even
    when the session is already verified.
    """
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return False
    return any(
        d.verify_token(token)
        for d in TOTPDevice.objects.filter(user=user, confirmed=True)
    )
