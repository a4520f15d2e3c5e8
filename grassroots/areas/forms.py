from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .models import Area


class HamletImportForm(forms.Form):
    commune = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        label=_("commune"),
        required=False,
        help_text=_("Leave empty if the file has a “commune_code” column."),
    )
    file = forms.FileField(
        label=_("file (CSV or XLSX)"),
        help_text=_(
            "Columns: code, name, kind (ấp, thôn, tổ dân phố, khóm…), latitude, longitude. At most 5 MB."
        ),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            scope.areas(for_user, Capability.MANAGE_AREAS)
            .communes()
            .active()
            .order_by("name")
        )
