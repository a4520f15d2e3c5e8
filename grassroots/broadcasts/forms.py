"""Console forms of programmes and schedules; choices limited to the user's scope."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminTimeInput

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.areas.words import hamlet_label
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service

from .models import ClusterGroup, Priority, ProgrammeItem, ProgrammeSchedule, Rule

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


CUSTOM = "custom"
#: When the commune has no programme yet: morning, noon and evening airings.
DEFAULT_SLOTS = (datetime.time(6, 0), datetime.time(11, 0), datetime.time(17, 0))


def commune_slots(user, limit: int = 3) -> list[datetime.time]:
    """Return the times the user's communes air most often (their usual slots)."""
    from django.db.models import Count

    times = (
        scope.scope(
            ProgrammeSchedule.objects.filter(
                is_active=True,
                rule__in=(Rule.ONCE, Rule.DAILY, Rule.WEEKLY),
                at__gte=datetime.time(5, 0),
                at__lte=datetime.time(21, 0),
            ),
            user,
            Capability.OPERATE_BROADCASTS,
        )
        .values("at")
        .annotate(n=Count("pk"))
        .order_by("-n", "at")[:limit]
    )
    found = {row["at"] for row in times}
    for slot in DEFAULT_SLOTS:
        if len(found) >= limit:
            break
        found.add(slot)
    return sorted(found)


def presets(user, now: datetime.datetime | None = None) -> dict[str, tuple]:
    """Return "Today 17:00", "Tomorrow 06:00"-style choices: key → (label, day, time)."""
    now = timezone.localtime(now)
    today = now.date()
    out: dict[str, tuple] = {}
    for day, word in (
        (today, _("Today")),
        (today + datetime.timedelta(days=1), _("Tomorrow")),
    ):
        for at in commune_slots(user):
            if day == today and at <= (now + datetime.timedelta(minutes=5)).time():
                continue
            key = f"{day:%Y%m%d}-{at:%H%M}"
            out[key] = (f"{word} {at:%H:%M}", day, at)
    return out


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
        help_text=format_lazy(
            _("The province, communes or {hamlets} whose clusters air it."),
            hamlets=hamlet_label(capital=False, plural=True),
        ),
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=ClusterGroup.objects.none(),
        label=_("target groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ChoiceField(label=_("priority level"), choices=Priority.choices)
    when = forms.ChoiceField(
        label=_("when"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The commune's usual airing times; “Custom” for a date, a time or a repetition."
        ),
    )
    confirm_clashes = forms.BooleanField(
        label=_("I have checked the clashes and the order"),
        required=False,
        help_text=_(
            "Where two items start together on the same clusters, priority goes "
            "first, then the lower order number."
        ),
    )

    class Media:
        js = ["broadcasts/schedule_form.js"]

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
        self.fields["item"].empty_label = _("— choose a programme —")
        if self.instance and self.instance.pk:
            self.initial["weekdays"] = [str(d) for d in self.instance.weekday_list]
        from django.urls import reverse

        self.fields["confirm_clashes"].widget.attrs["data-clashes-url"] = reverse(
            "broadcasts_schedule_clashes"
        )
        self._presets = presets(for_user) if not self.instance.pk else {}
        self.fields["when"].choices = [
            (key, label) for key, (label, _day, _at) in self._presets.items()
        ] + [(CUSTOM, _("Custom"))]
        self.initial.setdefault(
            "when", next(iter(self._presets), CUSTOM) if self._presets else CUSTOM
        )
        if self._presets:
            # A preset fills the date, time and "once": they are asked only for "Custom".
            for name in ("starts_on", "at", "rule"):
                self.fields[name].required = False
        # The operator's only area is chosen already.
        owning = list(self.fields["area"].queryset[:2])
        if len(owning) == 1:
            self.initial.setdefault("area", owning[0].pk)
            if not self.instance.pk:
                self.initial.setdefault("target_areas", [owning[0].pk])

    def clean(self):
        data = super().clean()
        preset = self._presets.get(data.get("when") or CUSTOM)
        if preset is not None:
            _label, day, at = preset
            data["starts_on"], data["at"], data["rule"] = day, at, Rule.ONCE
            self.instance.starts_on, self.instance.at = day, at
            self.instance.rule = Rule.ONCE
            for name in ("starts_on", "at", "rule"):
                self.errors.pop(name, None)
        else:
            for name in ("starts_on", "at", "rule"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data

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
