"""Forms of the public feedback page and of the console's handling page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.areas.words import hamlet_label

from . import abuse
from .models import Category, Channel
from .models.feedback import OFFLINE_CHANNELS

DESCRIPTION_MIN = 15
DESCRIPTION_MAX = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by :func:`abuse.check_files`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def commune_choices(province: Area) -> list[tuple[str, str]]:
    communes = Area.objects.filter(
        parent=province, level=Level.COMMUNE, is_active=True
    ).order_by("name")
    return [("", str(_("— choose the commune or ward —")))] + [
        (str(c.pk), c.name) for c in communes
    ]


def hamlet_choices(province: Area) -> list:
    """Return hamlets grouped by commune, for a select that works without JavaScript."""
    groups: dict[str, list[tuple[str, str]]] = {}
    hamlets = (
        Area.objects.under(province)
        .filter(level=Level.HAMLET, is_active=True)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    for hamlet in hamlets:
        commune = hamlet.parent.name if hamlet.parent is not None else ""
        groups.setdefault(commune, []).append((str(hamlet.pk), hamlet.name))
    return [("", _("— not sure / none —"))] + list(groups.items())


class AccessibleFormMixin:
    """Tie each input to its help and error texts, for screen readers."""

    def _describe(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            ids = []
            if name in errors:
                ids.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if field.help_text:
                ids.append(f"id_{name}_help")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self):
        super().full_clean()
        self._describe()


class PlaceMixin:
    """Commune, hamlet, map point and address: any one of them places the feedback."""

    province: Area

    if TYPE_CHECKING:  # given by the form this is mixed into

        def add_error(self, field: str | None, error: Any) -> None: ...

    def clean_place(self, data: dict) -> Area | None:
        commune_id, hamlet_id = data.get("commune"), data.get("hamlet")
        commune = hamlet = None
        if commune_id:
            commune = Area.objects.filter(
                pk=commune_id, parent=self.province, level=Level.COMMUNE
            ).first()
            if commune is None:
                self.add_error("commune", _("Choose a commune from the list."))
        if hamlet_id:
            hamlet = (
                Area.objects.under(self.province)
                .filter(pk=hamlet_id, level=Level.HAMLET)
                .first()
            )
            if hamlet is None:
                self.add_error("hamlet", _("Choose a hamlet from the list."))
            elif commune is not None and hamlet.parent_id != commune.pk:
                self.add_error(
                    "hamlet",
                    _("%(hamlet)s is not in %(commune)s.")
                    % {"hamlet": hamlet.name, "commune": commune.name},
                )
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error(
                "latitude", _("Give both latitude and longitude, or neither.")
            )
        return hamlet or commune


class FeedbackForm(AccessibleFormMixin, PlaceMixin, forms.Form):
    """The public form: what, where, evidence, and (optionally) who."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("What is it about?"),
        empty_label=_("— choose a topic —"),
        error_messages={"required": _("Choose a topic.")},
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        help_text=_("What happened, since when, and what you would like done."),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
        error_messages={"required": _("Describe the problem.")},
    )
    commune = forms.ChoiceField(label=_("Commune or ward"), required=False)
    hamlet = forms.ChoiceField(label=hamlet_label(), required=False)
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=255,
        help_text=_("House number, street, or a place everyone knows."),
    )
    # A declared field: the form metaclass moves it to base_fields, and
    # self.files stays the uploads (django-stubs sees the class attribute).
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Photos or voice recordings"),
        required=False,
        help_text=_("Up to 5 files, 10 MB each: JPEG, PNG, HEIC, MP3, M4A, OGG, WAV."),
    )
    citizen_name = forms.CharField(label=_("Your name"), required=False, max_length=120)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that the People's Committee uses my name and contact only to "
            "handle this feedback and to tell me how it goes."
        ),
        required=False,
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, province: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        cast(
            forms.ModelChoiceField, self.fields["category"]
        ).queryset = Category.objects.filter(is_active=True)
        cast(forms.ChoiceField, self.fields["commune"]).choices = commune_choices(
            province
        )
        cast(forms.ChoiceField, self.fields["hamlet"]).choices = hamlet_choices(
            province
        )
        self.fields["files"].widget.attrs["accept"] = "image/*,audio/*"
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel"}
        )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["citizen_name"].widget.attrs["autocomplete"] = "name"
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off"}
        )
        self._describe()

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_description(self):
        return abuse.clean_text(
            self.cleaned_data["description"],
            field=str(_("The description")),
            min_length=DESCRIPTION_MIN,
            max_length=DESCRIPTION_MAX,
        )

    def clean_address(self):
        return abuse.clean_text(
            self.cleaned_data["address"], field=str(_("The address")), max_length=255
        )

    def clean_citizen_name(self):
        return abuse.clean_text(
            self.cleaned_data["citizen_name"], field=str(_("Your name")), max_length=120
        )

    def clean_phone(self):
        return abuse.clean_phone(self.cleaned_data["phone"])

    def clean_files(self):
        return abuse.check_files(self.cleaned_data.get("files") or [])

    def clean(self):
        data = super().clean()
        data["place"] = self.clean_place(data)
        has_personal = (
            data.get("citizen_name") or data.get("phone") or data.get("email")
        )
        if has_personal and not data.get("consent"):
            self.add_error(
                "consent",
                _(
                    "Tick the box to let us use your name and contact, or leave them "
                    "empty to send anonymously."
                ),
            )
        return data


class OfflineFeedbackForm(PlaceMixin, forms.Form):
    """Staff record feedback given by phone, in person or by letter."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in OFFLINE_CHANNELS],
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("dd/mm/yyyy hh:mm; empty means now."),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=pgettext_lazy("feedback", "Category")
    )
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX, widget=forms.Textarea
    )
    commune = forms.ChoiceField(label=_("Commune or ward"), required=False)
    hamlet = forms.ChoiceField(label=hamlet_label(), required=False)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    citizen_name = forms.CharField(label=_("Citizen's name"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    consent = forms.BooleanField(
        label=_("The citizen agreed that their name and contact are used for this."),
        required=False,
    )
    # A declared field: the form metaclass moves it to base_fields, and
    # self.files stays the uploads (django-stubs sees the class attribute).
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Files"), required=False
    )

    def __init__(self, *args, province: Area, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.user = user
        cast(
            forms.ModelChoiceField, self.fields["category"]
        ).queryset = Category.objects.filter(is_active=True)
        allowed = {
            str(pk)
            for pk in scope.areas(user, Capability.HANDLE_FEEDBACK).values_list(
                "pk", flat=True
            )
        }
        cast(forms.ChoiceField, self.fields["commune"]).choices = [
            (v, label)
            for v, label in commune_choices(province)
            if not v or v in allowed
        ]
        cast(forms.ChoiceField, self.fields["hamlet"]).choices = hamlet_choices(
            province
        )

    def clean_description(self):
        return abuse.clean_text(
            self.cleaned_data["description"],
            field=str(_("The description")),
            min_length=5,
            max_length=DESCRIPTION_MAX,
        )

    def clean_phone(self):
        return abuse.clean_phone(self.cleaned_data["phone"])

    def clean_files(self):
        return abuse.check_files(self.cleaned_data.get("files") or [], staff=True)

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        return value or timezone.now()

    def clean(self):
        data = super().clean()
        data["place"] = self.clean_place(data)
        if data.get("channel") and data["channel"] not in Channel.values:
            self.add_error("channel", _("Choose how it was received."))
        return data


class TrackForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        help_text=_(
            "The 10 letters and digits you got when you sent it, e.g. ABCDE-23456."
        ),
    )


class ReopenForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean_reason(self):
        return abuse.clean_text(
            self.cleaned_data["reason"],
            field=str(_("The reason")),
            min_length=5,
            max_length=2000,
        )
