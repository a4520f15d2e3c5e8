"""Second-factor pages: enrol an authenticator app, give a code, remove it."""

from __future__ import annotations

import base64
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from . import actions, audit, second_factor
from .audit import SignedInRequest
from .forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/console/"


@login_required
def verify(request: SignedInRequest) -> HttpResponse:
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


#: The pending device of a replacement begun in this session (its pk).
REPLACING = "grassroots_2fa_replacing"


def _replacement(request: HttpRequest) -> TOTPDevice | None:
    """Return the new device this session is enrolling in place of the old one."""
    pk = request.session.get(REPLACING)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def _enabled_page(
    request: HttpRequest,
    *,
    replace_form: TokenForm | None = None,
    remove_form: TokenForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "enabled": True,
            "replace_form": replace_form or TokenForm(auto_id="replace_%s"),
            "remove_form": remove_form or TokenForm(auto_id="remove_%s"),
        },
    )


@login_required
def setup(request: SignedInRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, then type one code to confirm.

    A user who has one sees how to move it to a new phone or turn it off,
    both with a code of the current one. The new phone's code is shown only
    to the session that gave the old one's code.
    """
    replacing = _replacement(request)
    if second_factor.has_device(request.user) and replacing is None:
        return _enabled_page(request)
    device = replacing or actions.begin_second_factor(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.confirm_second_factor(
            request.user, form.cleaned_data["token"], replacing
        ):
            request.session.pop(REPLACING, None)
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
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
            "replacing": replacing is not None,
            "qr": second_factor.qr_svg(device),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


def _token_action(request: HttpRequest, prefix: str, run) -> HttpResponse | None:
    """Run ``run(token)`` for a posted code form; return the page again on refusal."""
    form = TokenForm(request.POST, auto_id=f"{prefix}_%s")
    if form.is_valid():
        try:
            run(form.cleaned_data["token"])
        except ValidationError as exc:
            errors = exc.message_dict.get("token", exc.messages)
            form.add_error("token", errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return None
    return _enabled_page(request, **{f"{prefix}_form": form})


@login_required
@require_POST
def replace(request: SignedInRequest) -> HttpResponse:
    """Begin moving the second factor to a new phone, with a code of the old one."""

    def run(token: str) -> None:
        device = actions.begin_replacing_second_factor(request.user, token)
        request.session[REPLACING] = device.pk

    return _token_action(request, "replace", run) or redirect("accounts:otp_setup")


@login_required
@require_POST
def remove(request: SignedInRequest) -> HttpResponse:
    """Turn the second factor off, with a code of it (never with the password alone)."""

    def run(token: str) -> None:
        actions.remove_second_factor(request.user, token=token)
        request.session.pop(REPLACING, None)

    response = _token_action(request, "remove", run)
    if response is not None:
        return response
    messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:otp_setup")


def _superusers_only(view):
    """Return ``view``, refused (403) to anyone but an active superuser."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


#: Wagtail's "Site history" report lists every model's changes to whoever has
#: a model permission: other communes' drafts and staff included. The audit
#: log is the scoped account of who did what; this report stays a superuser's.
site_history = _superusers_only(LogEntriesView.as_view())
site_history_results = _superusers_only(LogEntriesView.as_view(results_only=True))
