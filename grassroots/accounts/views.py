"""Second-factor pages: enrol an authenticator app, give a code, remove it."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from . import actions, audit, second_factor
from .forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/console/"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code after the password, once per session."""
    if not second_factor.has_device(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            audit.record("account.2fa_verified", request.user, request.user)
            return redirect(_next_url(request))
        audit.record("account.2fa_failed", request.user, request.user)
        form.add_error(
            "token",
            _("This code is wrong or has expired. Type the 6 digits shown now."),
        )
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, then type one code to confirm."""
    if second_factor.has_device(request.user):
        return render(request, "accounts/otp_setup.html", {"enabled": True})
    device = actions.begin_second_factor(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.confirm_second_factor(request.user, form.cleaned_data["token"]):
            otp_login(request, second_factor.TOTPDevice.objects.get(pk=device.pk))
            messages.success(request, _("Two-step verification is on."))
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "This code is wrong. Check the time on your phone and type the code shown now."
            ),
        )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": second_factor.qr_svg(device),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    actions.remove_second_factor(request.user, request.user)
    messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:otp_setup")
