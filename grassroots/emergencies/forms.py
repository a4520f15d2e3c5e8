"""Forms of the emergency console: what to broadcast, where, how often; the code."""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin, Level, Status
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import in_service
from grassroots.tts.models import RenderedAudio
from grassroots.tts.models import Status as AudioStatus

from .actions import MAX_GAP_S, needs_second_factor
from .models import MAX_DRILL_MINUTES, MAX_REPEAT, Recurrence


class AreaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return "— " * (obj.path.count("/") - 1) + obj.name


class BulletinChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Bulletin) -> str:
        return obj.title


class AreaCheckboxes(forms.CheckboxSelectMultiple):
    """Each box carries its area's path: ticking a hamlet unticks its commune.

    An area inside another one chosen airs with it anyway; without this, the
    commune ticked already would make the hamlet ticked after it mean nothing.
    """

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-path"] = instance.path
        return option


#: Areas are ticked in a list with a search box above it (core/console.js):
#: one tap each on a phone, where a multiple select needs three.
AREA_WIDGET = AreaCheckboxes(attrs={"class": "emg-choices"})


def own_area(for_user, queryset) -> Area | None:
    """Return the user's area when it is the only one they may broadcast in."""
    roots = scope.roots(for_user, Capability.BROADCAST_EMERGENCY)
    if roots is None or len(roots) != 1:
        return None
    return queryset.filter(path=roots[0]).first()


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
    bulletin = BulletinChoice(
        label=_("Emergency bulletin"),
        queryset=Bulletin.objects.none(),
        help_text=_("Only approved bulletins of emergency level are listed."),
        widget=forms.RadioSelect(attrs={"class": "emg-choices"}),
        empty_label=None,
    )
    areas = AreaChoice(
        label=_("Where"),
        queryset=Area.objects.none(),
        help_text=_("Every loudspeaker cluster in these areas airs it at once."),
        widget=AREA_WIDGET,
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

    #: Folded under "More choices" on the first screen: each has a default.
    MORE = ("repeat", "gap_s")

    def __init__(self, *args, for_user, confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        bulletins = Bulletin.objects.filter(
            level=Level.EMERGENCY, status=Status.PUBLISHED
        ).order_by("-approved_at", "-pk")
        cast(forms.ModelChoiceField, self.fields["bulletin"]).queryset = bulletins
        areas = (
            scope.areas(for_user, Capability.BROADCAST_EMERGENCY)
            .filter(is_active=True)
            .order_by("path")
        )
        cast(forms.ModelChoiceField, self.fields["areas"]).queryset = areas
        if not self.is_bound:
            # The operator's own commune, when it is the only choice; the only
            # approved emergency bulletin, when there is one.
            mine = own_area(for_user, areas)
            if mine is not None:
                self.initial.setdefault("areas", [mine.pk])
            first_two = list(bulletins[:2])
            if len(first_two) == 1:
                self.initial.setdefault("bulletin", first_two[0].pk)
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


class ClusterChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cluster) -> str:
        return f"{obj.code} · {obj.name} · {obj.area.name}"


#: Typed, not a browser date picker: the picker follows the phone's language
#: and may show mm/dd/yyyy or a 12-hour clock; officials write dd/mm/yyyy.
DATE_INPUTS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_ATTRS = {"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}


class When(models.TextChoices):
    NOW = "now", _("Now, at once")
    LATER = "later", _("At a date and time (planned)")


class DrillForm(OtpMixin, forms.Form):
    """A drill: where, what is read, how often, and now or planned."""

    areas = AreaChoice(
        label=_("Whole areas"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Every loudspeaker cluster in these areas airs the drill."),
        widget=AREA_WIDGET,
    )
    clusters = ClusterChoice(
        label=_("Or chosen loudspeaker clusters"),
        queryset=Cluster.objects.none(),
        required=False,
        help_text=_("Only these clusters air it (as well as the areas chosen)."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "emg-choices"}),
    )
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    text = forms.CharField(
        label=_("Text read (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Read between the spoken warnings “this is a test, not a real "
            "emergency”, which are always added."
        ),
    )
    repeat = forms.IntegerField(
        label=_("Times aired"), min_value=1, max_value=MAX_REPEAT, initial=1
    )
    gap_s = forms.IntegerField(
        label=_("Pause between repeats (seconds)"),
        min_value=0,
        max_value=MAX_GAP_S,
        initial=5,
    )
    duration_min = forms.IntegerField(
        label=_("Ends by itself after (minutes)"),
        min_value=1,
        max_value=MAX_DRILL_MINUTES,
        initial=15,
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=When.choices,
        initial=When.NOW,
        widget=forms.RadioSelect,
    )
    first_date = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"),
    )
    first_time = forms.TimeField(
        label=_("Time"),
        required=False,
        input_formats=["%H:%M", "%H.%M", "%Hh%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            attrs={"placeholder": _("hh:mm (24 hours)"), "inputmode": "numeric"},
            format="%H:%M",
        ),
    )
    recurrence = forms.ChoiceField(
        label=_("Repeats"),
        choices=Recurrence.choices,
        initial=Recurrence.ONCE,
        widget=forms.RadioSelect,
    )
    ends_on = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"),
    )
    #: Set by the first step: the audio rendered for the confirmation.
    audio = forms.ModelChoiceField(
        queryset=RenderedAudio.objects.filter(status=AudioStatus.READY),
        required=False,
        widget=forms.HiddenInput,
    )

    #: Folded under "More choices" on the first screen: each has a default.
    MORE = ("clusters", "title", "repeat", "gap_s", "duration_min")

    def __init__(self, *args, for_user, confirm: bool = False, **kwargs):
        # Its ids differ from the emergency form's, on the same page.
        kwargs.setdefault("auto_id", "id_drill_%s")
        super().__init__(*args, **kwargs)
        areas = (
            scope.areas(for_user, Capability.BROADCAST_EMERGENCY)
            .filter(is_active=True)
            .order_by("path")
        )
        cast(forms.ModelChoiceField, self.fields["areas"]).queryset = areas
        if not self.is_bound:
            mine = own_area(for_user, areas)
            if mine is not None:
                self.initial.setdefault("areas", [mine.pk])
        cast(forms.ModelChoiceField, self.fields["clusters"]).queryset = (
            scope.scope(
                in_service(),
                for_user,
                Capability.BROADCAST_EMERGENCY,
            )
            .select_related("area")
            .order_by("area__path", "code")
        )
        if confirm:
            self.add_otp(for_user)

    def clean(self):
        data = super().clean()
        if not data.get("areas") and not data.get("clusters"):
            self.add_error(
                "areas", _("Choose at least one area or loudspeaker cluster.")
            )
        data["first_at"] = None
        if data.get("when") == When.LATER:
            day, at = data.get("first_date"), data.get("first_time")
            if day is None:
                self.add_error("first_date", _("Choose the date of the drill."))
            if at is None:
                self.add_error("first_time", _("Choose the time of the drill."))
            if day is not None and at is not None:
                data["first_at"] = datetime.datetime.combine(
                    day, at, tzinfo=timezone.get_current_timezone()
                )
                if data["first_at"] <= timezone.now():
                    self.add_error("first_date", _("Choose a time in the future."))
        return data

    @property
    def planned(self) -> bool:
        return self.cleaned_data.get("when") == When.LATER
