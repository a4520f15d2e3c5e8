"""Withdraw a bulletin from the console: a reason, then off every channel."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .. import actions
from ..models import Bulletin


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        help_text=_("Kept in the record and shown to the people who handled it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class WithdrawView(View):
    """Take a bulletin off every channel at once, with the reason."""

    template_name = "bulletins/console/withdraw.html"

    def dispatch(self, request, pk):
        allowed = scope.scope(
            Bulletin.objects.all(),
            request.user,
            Capability.APPROVE_BULLETINS,
            path_field="issuing_area__path",
        )
        self.bulletin = get_object_or_404(allowed, pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render(WithdrawForm())

    def post(self, request, pk):
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                actions.withdraw(
                    request.user, self.bulletin, reason=form.cleaned_data["reason"]
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    _("“%(title)s” was withdrawn from every channel.")
                    % {"title": self.bulletin.title},
                )
                return redirect("bulletins_bulletin:list")
        return self.render(form)

    def render(self, form):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"bulletin": self.bulletin, "form": form},
        )
