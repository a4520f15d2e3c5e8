"""Console forms: they validate input; the actions decide and change."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.areas.words import hamlet_label, hamlet_word

from .models import Cluster, Station


def _areas(user, capability):
    return (
        scope.areas(user, capability)
        .filter(level__in=[Level.COMMUNE, Level.HAMLET])
        .active()
        .order_by("path")
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level == Level.HAMLET and obj.parent is not None:
            return f"{obj.name} — {obj.parent.name}"
        return str(obj)


class ClusterForm(forms.ModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=hamlet_label())

    class Meta:
        model = Cluster
        fields = [
            "station",
            "area",
            "code",
            "name",
            "latitude",
            "longitude",
            "model",
            "firmware_version",
            "link",
            "speaker_count",
            "speaker_power_w",
            "installed_on",
            "notes",
        ]
        widgets = {
            "installed_on": AdminDateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = scope.scope(
            Station.objects.filter(is_active=True),
            for_user,
            Capability.MANAGE_DEVICES,
            path_field="commune__path",
        ).order_by("name")
        self.fields["area"].queryset = _areas(
            for_user, Capability.MANAGE_DEVICES
        ).select_related("parent")
        self.fields["area"].help_text = _(
            "Where it is installed: a %(hamlet)s, or the commune itself."
        ) % {"hamlet": hamlet_word()}
        self.fields["code"].help_text = _(
            "The device's identity on the network, e.g. 28261-H01-1. It cannot change later."
        )
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(
                _("Give both latitude and longitude, or neither.")
            )
        return data


class StationForm(forms.ModelForm):
    commune = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("commune"))

    class Meta:
        model = Station
        fields = ["commune", "name", "address", "phone", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            scope.areas(for_user, Capability.MANAGE_DEVICES)
            .communes()
            .active()
            .order_by("name")
        )
        if self.instance.pk:
            self.fields["commune"].disabled = True


class ClusterImportForm(forms.Form):
    file = forms.FileField(
        label=_("file (CSV or XLSX)"),
        help_text=format_lazy(
            _(
                "Columns: commune_code, hamlet_code ({hamlet} code), code, location, "
                "latitude, longitude, model, firmware, connection (4G, Wi-Fi, có dây), "
                "speakers, power, installed (dd/mm/yyyy), state. At most 5 MB."
            ),
            hamlet=hamlet_label(capital=False),
        ),
    )


class VolumeForm(forms.Form):
    level = forms.IntegerField(
        label=_("volume (0–100)"),
        min_value=0,
        max_value=100,
        initial=70,
        widget=forms.NumberInput(
            attrs={"type": "range", "min": 0, "max": 100, "step": 5}
        ),
    )


class PowerForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("amplifier"),
        choices=[("1", _("on")), ("0", _("off"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )


class EmptyForm(forms.Form):
    pass
