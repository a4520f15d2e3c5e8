"""Forms of the speech console: the preview, the voice, the dictionary."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .engines import get_engine
from .models import MAX_LUFS, MIN_LUFS, Abbreviation, SpeechSettings

PREVIEW_MAX_CHARS = 10_000


def voice_choices() -> list[tuple[str, str]]:
    return [(v.id, str(v.label)) for v in get_engine().voices]


class PreviewForm(forms.Form):
    text = forms.CharField(
        label=_("Text to read"),
        max_length=PREVIEW_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": PREVIEW_MAX_CHARS}),
        help_text=_("Type or paste a bulletin as it is written."),
    )
    voice = forms.ChoiceField(label=_("Voice"), choices=())
    rate = forms.IntegerField(
        label=_("Speed (words a minute)"), min_value=80, max_value=260
    )
    chimes = forms.BooleanField(label=_("Chime before and after"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voice"].choices = voice_choices()


class SpeechSettingsForm(forms.ModelForm):
    voice = forms.ChoiceField(label=_("Voice"), choices=())
    target_lufs = forms.FloatField(
        label=_("Loudness target (LUFS)"),
        min_value=MIN_LUFS,
        max_value=MAX_LUFS,
        help_text=SpeechSettings._meta.get_field("target_lufs").help_text,
    )

    class Meta:
        model = SpeechSettings
        fields = [
            "voice",
            "rate",
            "pitch",
            "target_lufs",
            "chime_before",
            "chime_after",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voice"].choices = voice_choices()


class AbbreviationForm(forms.ModelForm):
    """Add or change a dictionary entry, in a province the user operates."""

    class Meta:
        model = Abbreviation
        fields = ["province", "abbreviation", "spoken", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = (
            scope.areas(for_user, Capability.OPERATE_BROADCASTS)
            .provinces()
            .active()
            .order_by("name")
        )
        self.fields["province"].queryset = provinces
        if self.instance.pk:
            self.fields["province"].disabled = True
        elif provinces.count() == 1:
            self.fields["province"].initial = provinces.first()

    def clean_abbreviation(self):
        value = " ".join(self.cleaned_data["abbreviation"].split())
        if not value or any(c in value for c in "<>\t\n"):
            raise forms.ValidationError(
                _("Write the abbreviation as officials write it, e.g. UBND.")
            )
        return value

    def clean_spoken(self):
        value = " ".join(self.cleaned_data.get("spoken", "").split())
        if any(c in value for c in "<>{}"):
            raise forms.ValidationError(_("Write only the words to say."))
        return value
