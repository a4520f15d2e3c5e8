"""One's own account page and the e-mailed password link, saved through actions.

Wagtail's account page saves each of its panels' forms with ``form.save()``
and its password link with ``SetPasswordForm.save()``: no audit, and no rule
but the forms' fields. These subclasses keep Wagtail's panels and templates
and hand what the forms cleaned to ``actions`` instead; they are mounted over
Wagtail's URLs in ``grassroots/urls.py``. Wagtail offers no setting or hook
that replaces how the page saves (``register_account_settings_panel`` only
adds panels), hence the URL.
"""

from __future__ import annotations

from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.debug import sensitive_post_parameters
from wagtail.admin import messages
from wagtail.admin.forms.account import NameEmailForm
from wagtail.admin.views import account as wagtail_account
from wagtail.users.models import UserProfile

from . import actions
from .audit import SignedInRequest


class OwnNameEmailForm(NameEmailForm):
    """Names and e-mail, none required: accounts are made without them.

    Wagtail requires all three, so someone whose administrator left the
    e-mail empty could not change their own password without inventing one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


@method_decorator(sensitive_post_parameters(), name="post")
class OwnAccountView(wagtail_account.AccountView):
    """Wagtail's account page; names, preferences and password through actions."""

    request: SignedInRequest

    def get_panels(self):
        panels = super().get_panels()
        for panel in panels:
            if isinstance(panel, wagtail_account.NameEmailSettingsPanel):
                panel.form_class = OwnNameEmailForm
        return panels

    def post(self, request: SignedInRequest) -> HttpResponse:
        forms = [(panel, panel.get_form()) for panel in self.get_panels()]
        bound = [(p, f) for p, f in forms if f.is_bound]
        if all(form.is_valid() for _panel, form in bound):
            try:
                self._save(request, bound)
            except ValidationError as error:
                # The forms check what the actions check; this is a race.
                messages.error(request, " ".join(error.messages))
                return TemplateResponse(
                    request, self.template_name, self.get_context_data()
                )
            # Once saved, a new password keeps this session signed in.
            update_session_auth_hash(request, request.user)
            profile = UserProfile.get_for_user(request.user)
            # The message in the language just chosen, as Wagtail does.
            with override(profile.get_preferred_language()):
                messages.success(
                    request, _("Your account settings have been changed successfully!")
                )
            return redirect("wagtailadmin_account")
        return TemplateResponse(request, self.template_name, self.get_context_data())

    @transaction.atomic
    def _save(self, request: SignedInRequest, bound) -> None:
        changes = {}
        for panel, form in bound:
            if isinstance(panel, wagtail_account.ChangePasswordPanel):
                actions.change_own_password(
                    request.user,
                    current_password=form.cleaned_data.get("old_password") or "",
                    new_password=form.cleaned_data["new_password1"],
                )
            else:
                changes.update(form.cleaned_data)
        actions.update_own_account(request.user, **changes)


class OwnPasswordResetConfirmView(wagtail_account.PasswordResetConfirmView):
    """The e-mailed link's new password, set by ``actions.reset_own_password``."""

    def form_valid(self, form) -> HttpResponse:
        user = form.user
        try:
            actions.reset_own_password(
                user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error("new_password1", error)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        if self.post_reset_login:
            login(self.request, user, self.post_reset_login_backend)
        return HttpResponseRedirect(self.get_success_url())
