"""Forms of the training console; choices are limited to the user's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from grassroots.accounts import scope
from grassroots.accounts.models import User
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level

from .models import Course, Official, Status, TrainingSession, category_choices

DATE_FORMAT = "%d/%m/%Y"


def _date_widget() -> AdminDateInput:
    # Explicit: the widget takes a strftime format, and the project's
    # WAGTAIL_DATE_FORMAT ("d/m/Y") is a Django one, shown literally.
    return AdminDateInput(format=DATE_FORMAT)


def _areas(user, levels=(Level.PROVINCE, Level.COMMUNE, Level.HAMLET)):
    return (
        scope.areas(user, Capability.MANAGE_TRAINING)
        .active()
        .filter(level__in=levels)
        .order_by("path")
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        indent = "— " * (obj.level - 1 if obj.level < Level.HAMLET else 2)
        return f"{indent}{obj.name}"


class OfficialForm(WagtailAdminModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("works in"))

    class Meta:
        model = Official
        fields = [
            "full_name",
            "area",
            "position",
            "category",
            "code",
            "date_of_birth",
            "phone",
            "email",
            "account",
            "needs_training",
            "started_on",
            "left_on",
            "notes",
        ]
        widgets = {
            "date_of_birth": _date_widget(),
            "started_on": _date_widget(),
            "left_on": _date_widget(),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["area"].queryset = _areas(for_user)
        self.fields["category"].choices = category_choices()
        self.fields["account"].queryset = scope.scope(
            User.objects.filter(is_active=True), for_user, Capability.VIEW
        ).order_by("username")
        self.fields["account"].required = False

    def _get_validation_exclusions(self):
        # The action checks staff codes (and the rest) and reports every
        # problem at once; the model's constraint would stop at the first.
        return {*super()._get_validation_exclusions(), "code"}


class CourseForm(WagtailAdminModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("organised by"))

    class Meta:
        model = Course
        fields = ["title", "topic", "area", "hours", "description", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["area"].queryset = _areas(for_user, (Level.PROVINCE, Level.COMMUNE))


class SessionForm(WagtailAdminModelForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("organised by"))

    class Meta:
        model = TrainingSession
        fields = ["course", "area", "starts_on", "ends_on", "place", "trainer", "notes"]
        widgets = {"starts_on": _date_widget(), "ends_on": _date_widget()}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["area"].queryset = _areas(for_user, (Level.PROVINCE, Level.COMMUNE))
        self.fields["course"].queryset = scope.scope(
            Course.objects.filter(is_active=True), for_user, Capability.VIEW
        ).order_by("title")


class RosterImportForm(forms.Form):
    area = AreaChoiceField(
        queryset=Area.objects.none(),
        label=_("area"),
        help_text=_(
            "Rows without a unit code go to this area; rows with one go to that unit, "
            "which must lie within this area."
        ),
    )
    file = forms.FileField(
        label=_("file (XLSX or CSV)"),
        help_text=_(
            "Columns: full name (required), unit code, staff code, date of birth, "
            "position, category, phone, email, needs training (có/không), on the "
            "roster since, left on, staff account. At most 5 MB."
        ),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas(for_user, (Level.PROVINCE, Level.COMMUNE))


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("attendance sheet (XLSX or CSV)"),
        help_text=_(
            "Columns: full name, status (hoàn thành, có mặt, vắng, đăng ký), and "
            "optionally unit code, staff code, result, completed on. At most 5 MB."
        ),
    )


class EnrolForm(forms.Form):
    officials = forms.ModelMultipleChoiceField(
        queryset=Official.objects.none(),
        label=_("add people from the roster"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, for_user=None, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = scope.scope(
            Official.objects.filter(left_on__isnull=True), for_user, Capability.VIEW
        ).select_related("area")
        if session is not None:
            queryset = queryset.exclude(attendances__session=session)
        self.fields["officials"].queryset = queryset.order_by("area__path", "full_name")
        self.fields["officials"].label_from_instance = lambda o: (
            f"{o.full_name} — {o.area.name}"
        )


class AttendanceForm(forms.Form):
    """One row of the attendance sheet in the console."""

    status = forms.ChoiceField(choices=Status.choices, label=_("status"))
    result = forms.CharField(max_length=100, required=False, label=_("result"))
    completed_on = forms.DateField(
        required=False, label=_("completed on"), widget=_date_widget()
    )
