"""Console forms of programmes and schedules; choices limited to the user's scope."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminTimeInput

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service

from .models import ClusterGroup, Priority, ProgrammeItem, ProgrammeSchedule

DATE_FORMAT = "%d/%m/%Y"
WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


def operated_areas(user, levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET)):
    """Return the active areas where ``user`` operates broadcasts."""
    return (
        scope.areas(user, Capability.OPERATE_BROADCASTS)
        .active()
        .filter(level__in=levels)
        .order_by("path")
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{'— ' * (obj.level - 1 if obj.level < Level.HAMLET else 2)}{obj.name}"


class AreasField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{'— ' * (obj.level - 1 if obj.level < Level.HAMLET else 2)}{obj.name}"


class ClustersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cluster) -> str:
        return f"{obj.code} · {obj.name} ({obj.area.name})"


class ProgrammeItemForm(WagtailAdminModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("owning area"))

    class Meta:
        model = ProgrammeItem
        fields = [
            "title",
            "area",
            "source",
            "bulletin",
            "recording",
            "relay_url",
            "duration_s",
            "chime_before",
            "chime_after",
            "essential",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["area"].queryset = operated_areas(
            for_user, (Level.PROVINCE, Level.COMMUNE)
        )
        from grassroots.bulletins.models import Bulletin, Status

        visible = scope.scope(
            Bulletin.objects.filter(status=Status.PUBLISHED),
            for_user,
            Capability.VIEW,
            path_field="issuing_area__path",
        )
        self.fields["bulletin"].queryset = visible.order_by("-pk")
        self.fields["recording"].widget.attrs["accept"] = "audio/*"


class ClusterGroupForm(WagtailAdminModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("area"))
    clusters = ClustersField(
        queryset=Cluster.objects.none(),
        label=_("clusters"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ClusterGroup
        fields = ["name", "area", "clusters"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["area"].queryset = operated_areas(for_user)
        self.fields["clusters"].queryset = (
            scope.scope(
                in_service(),
                for_user,
                Capability.OPERATE_BROADCASTS,
            )
            .select_related("area")
            .order_by("area__path", "code")
        )


class ProgrammeScheduleForm(WagtailAdminModelForm):
    area = AreaChoiceField(
        queryset=Area.objects.none(),
        label=_("owning area"),
        help_text=_("The province or commune whose programme this is."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("days of the week"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_areas = AreasField(
        queryset=Area.objects.none(),
        label=_("target areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The province, communes or hamlets whose clusters air it."),
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=ClusterGroup.objects.none(),
        label=_("target groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ChoiceField(label=_("priority level"), choices=Priority.choices)
    confirm_clashes = forms.BooleanField(
        label=_("I have checked the clashes and the order"),
        required=False,
        help_text=_(
            "Where two items start together on the same clusters, priority goes "
            "first, then the lower order number."
        ),
    )

    class Meta:
        model = ProgrammeSchedule
        fields = [
            "item",
            "area",
            "rule",
            "starts_on",
            "ends_on",
            "at",
            "weekdays",
            "rrule",
            "window_minutes",
            "repeat",
            "gap_s",
            "priority",
            "order",
            "target_areas",
            "target_groups",
            "is_active",
        ]
        widgets = {
            "starts_on": AdminDateInput(format=DATE_FORMAT),
            "ends_on": AdminDateInput(format=DATE_FORMAT),
            "at": AdminTimeInput(format="%H:%M"),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        areas = operated_areas(for_user)
        self.fields["area"].queryset = areas.filter(
            level__in=(Level.PROVINCE, Level.COMMUNE)
        )
        self.fields["target_areas"].queryset = areas
        self.fields["target_groups"].queryset = scope.scope(
            ClusterGroup.objects.select_related("area"),
            for_user,
            Capability.OPERATE_BROADCASTS,
        )
        paths = scope.roots(for_user, Capability.OPERATE_BROADCASTS)
        items = ProgrammeItem.objects.filter(is_active=True)
        if paths is not None:
            # Items of the user's areas, and of the areas above them (a
            # province's relay may be aired by a commune).
            above = {p[: i + 1] for p in paths for i, c in enumerate(p) if c == "/"}
            items = items.filter(
                scope.area_q(paths, "area__path") | Q(area__path__in=above)
            )
        self.fields["item"].queryset = items.order_by("title")
        if self.instance and self.instance.pk:
            self.initial["weekdays"] = [str(d) for d in self.instance.weekday_list]

    def clean_weekdays(self):
        return ",".join(self.cleaned_data.get("weekdays") or [])


class PlayNowForm(forms.Form):
    areas = AreasField(
        queryset=Area.objects.none(),
        label=_("areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=ClusterGroup.objects.none(),
        label=_("groups of clusters"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ChoiceField(label=_("priority level"), choices=Priority.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = operated_areas(user)
        self.fields["groups"].queryset = scope.scope(
            ClusterGroup.objects.select_related("area"),
            user,
            Capability.OPERATE_BROADCASTS,
        )
