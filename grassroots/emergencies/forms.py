"""Forms of the emergency console: what to broadcast, where, how often; the code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin, Level, Status
from grassroots.tts.models import RenderedAudio
from grassroots.tts.models import Status as AudioStatus

from .actions import MAX_GAP_S, needs_second_factor
from .models import MAX_REPEAT


class AreaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return "— " * (obj.path.count("/") - 1) + obj.name


class OtpMixin:
    """Adds the second-factor code when the user must confirm with one."""

    def add_otp(self, user) -> None:
        if needs_second_factor(user):
            self.fields["otp"] = forms.CharField(  # type: ignore[attr-defined]
                label=_("Code from your authenticator app"),
                max_length=10,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "one-time-code",
                        "inputmode": "numeric",
                        "autofocus": True,
                    }
                ),
            )


class StartForm(OtpMixin, forms.Form):
    bulletin = forms.ModelChoiceField(
        label=_("Emergency bulletin"),
        queryset=Bulletin.objects.none(),
        help_text=_("Only approved bulletins of emergency level are listed."),
    )
    areas = AreaChoice(
        label=_("Where"),
        queryset=Area.objects.none(),
        help_text=_("Every loudspeaker cluster in these areas airs it at once."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    repeat = forms.IntegerField(
        label=_("Times aired"), min_value=1, max_value=MAX_REPEAT, initial=3
    )
    gap_s = forms.IntegerField(
        label=_("Pause between repeats (seconds)"),
        min_value=0,
        max_value=MAX_GAP_S,
        initial=5,
    )
    text = forms.CharField(
        label=_("Text read (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty to read the bulletin's title, summary and body."),
    )
    #: Set by the first step: the audio rendered for the confirmation.
    audio = forms.ModelChoiceField(
        queryset=RenderedAudio.objects.filter(status=AudioStatus.READY),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, for_user, confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bulletin"].queryset = Bulletin.objects.filter(
            level=Level.EMERGENCY, status=Status.PUBLISHED
        ).order_by("-approved_at", "-pk")
        self.fields["areas"].queryset = (
            scope.areas(for_user, Capability.BROADCAST_EMERGENCY)
            .filter(is_active=True)
            .order_by("path")
        )
        if confirm:
            self.add_otp(for_user)


class UpdateForm(OtpMixin, forms.Form):
    text = forms.CharField(
        label=_("Text read"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    repeat = forms.IntegerField(
        label=_("Times aired"), min_value=1, max_value=MAX_REPEAT
    )
    gap_s = forms.IntegerField(
        label=_("Pause between repeats (seconds)"), min_value=0, max_value=MAX_GAP_S
    )

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_otp(for_user)


class CancelForm(OtpMixin, forms.Form):
    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_otp(for_user)
