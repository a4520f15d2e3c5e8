"""The portal's search and filter form (GET, so results can be linked and cached)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.areas.models import Area
from grassroots.areas.models import Level as AreaLevel
from grassroots.bulletins.models import Category, Level


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=200,
        help_text=_("With or without diacritics: “thong bao lu” finds “Thông báo lũ”."),
    )
    chuyen_muc = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.active(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    muc_do = forms.ChoiceField(
        label=_("Priority level"),
        choices=[("", _("All levels")), *Level.choices],
        required=False,
    )
    khu_vuc = forms.ChoiceField(label=_("Area"), required=False)
    tu_ngay = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    den_ngay = forms.DateField(
        label=_("Published until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, data=None, *args, **kwargs):
        # Keep the Vietnamese names in the URL (?chuyen-muc=…); forms want underscores.
        if data is not None:
            data = {k.replace("-", "_"): v for k, v in data.items()}
        super().__init__(data, *args, **kwargs)
        areas = (
            Area.objects.active().filter(level__lte=AreaLevel.COMMUNE).order_by("path")
        )
        indent = "\u2003"
        self.fields["khu_vuc"].choices = [
            ("", _("Everywhere")),
            *[(a.url_path, f"{indent * (a.level - 1)}{a.name}") for a in areas],
        ]
