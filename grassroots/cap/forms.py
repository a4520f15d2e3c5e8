"""Console forms: a decision on a received warning, a source's CAP settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.bulletins.models import Category

from .models import Policy


class ConfirmForm(forms.Form):
    otp = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why set it aside"), max_length=500)


class SourceForm(forms.Form):
    feed_url = forms.URLField(
        label=_("CAP feed (Atom or RSS)"), required=False, assume_scheme="https"
    )
    poll_minutes = forms.IntegerField(
        label=_("poll every (minutes)"), min_value=1, max_value=1440, initial=1
    )
    require_signature = forms.BooleanField(
        label=_("alerts must be signed"), required=False
    )
    certificate = forms.CharField(
        label=_("signing certificate (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ModelChoiceField(
        label=_("category of the bulletins made"),
        queryset=Category.objects.filter(is_active=True),
    )
    default_policy = forms.ChoiceField(
        label=_("policy for other events"),
        choices=[(p.value, p.label) for p in Policy if p is not Policy.EMERGENCY_AUTO],
    )
    policies = forms.CharField(
        label=_("policy per event"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One line per event: the event as the source writes it, “=”, then one of "
            "emergency_draft, priority, information, emergency_auto. Example: "
            "Lũ = emergency_draft"
        ),
    )

    def clean_policies(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["policies"].splitlines(), 1):
            if not line.strip():
                continue
            event, sep, policy = line.rpartition("=")
            policy = policy.strip()
            if not sep or not event.strip() or policy not in Policy.values:
                raise forms.ValidationError(
                    _("Line %(n)d is not “event = policy”.") % {"n": number}
                )
            result[" ".join(event.split())] = policy
        return result
