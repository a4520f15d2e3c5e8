"""Console forms of the boards: what staff fill in, narrowed to their areas."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput, AdminTimeInput

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.areas.words import hamlet_word

from ..models import WEEKDAYS, AllowedOrigin, Board, BoardItem, BoardState, ItemKind


class BoardForm(forms.ModelForm):
    state_since = forms.DateField(
        label=_("in this state since"),
        required=False,
        widget=AdminDateInput,
        help_text=_(
            "The day it was installed, or its state changed (today when left empty); "
            "the indicator reads past months from these dates."
        ),
    )

    class Meta:
        model = Board
        fields = [
            "code",
            "name",
            "area",
            "place",
            "location",
            "latitude",
            "longitude",
            "screen_size_in",
            "width_px",
            "height_px",
            "orientation",
            "state",
            "page_seconds",
            "show_bulletins",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            scope.areas(for_user, Capability.MANAGE_DEVICES)
            .active()
            .filter(level__in=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET))
            .order_by("path")
        )
        self.fields["area"].help_text = _(
            "The commune or %(hamlet)s whose bulletins it shows."
        ) % {"hamlet": hamlet_word()}
        self.fields["area"].label_from_instance = lambda a: (
            a.full_name if a.level == Level.HAMLET else a.name
        )
        if self.instance.pk is None:
            self.fields["state"].initial = BoardState.ACTIVE


class BoardItemForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        label=_("weekdays"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        initial=[d for d, _label in WEEKDAYS],
    )
    url = forms.URLField(
        label=_("web address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Only pages on the province's list of allowed sites open."),
    )
    upload = forms.FileField(
        label=_("image or video"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF images; MP4 or WebM videos."),
    )

    class Meta:
        model = BoardItem
        fields = [
            "area",
            "boards",
            "kind",
            "title",
            "text",
            "url",
            "duration_s",
            "position",
            "enabled",
            "start_time",
            "end_time",
            "start_date",
            "end_date",
            "is_essential",
        ]
        widgets = {
            "start_time": AdminTimeInput,
            "end_time": AdminTimeInput,
            "start_date": AdminDateInput,
            "end_date": AdminDateInput,
            "boards": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = scope.areas(for_user, Capability.OPERATE_BROADCASTS).active()
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["boards"].queryset = scope.scope(
            Board.objects.exclude(state=BoardState.RETIRED),
            for_user,
            Capability.OPERATE_BROADCASTS,
        ).order_by("code")
        self.fields["boards"].required = False
        self.fields["kind"].choices = ItemKind.choices
        if self.instance.pk is None:
            self.fields["kind"].initial = ItemKind.TEXT
        if self.instance.pk:
            self.initial["weekdays"] = list(self.instance.weekdays)


class OriginForm(forms.ModelForm):
    class Meta:
        model = AllowedOrigin
        fields = ["province", "origin", "note"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = (
            scope.areas(for_user, Capability.MANAGE_DEVICES).provinces().active()
        )
