"""The form that sets a live broadcast up: where, at which level, what is read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin, Status
from grassroots.emergencies.forms import OtpMixin

from .models import Level


class AreaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class StartForm(OtpMixin, forms.Form):
    areas = AreaChoice(
        label=_("Where"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every loudspeaker cluster in these areas plays what you say."),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=Level.choices,
        initial=Level.NORMAL,
        widget=forms.RadioSelect,
        help_text=_(
            "Normal waits for what plays to end; priority goes ahead of normal "
            "programmes; emergency cuts everything short and needs your code."
        ),
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        required=False,
        max_length=200,
        help_text=_("Shown in the history and on the clusters' pages."),
    )
    bulletin = forms.ModelChoiceField(
        label=_("Bulletin read out (optional)"),
        queryset=Bulletin.objects.none(),
        required=False,
        help_text=_(
            "The broadcast then counts in that bulletin's dissemination report."
        ),
    )

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = for_user
        choices = (
            (
                scope.areas(for_user, Capability.OPERATE_BROADCASTS)
                | scope.areas(for_user, Capability.BROADCAST_EMERGENCY)
            )
            .filter(is_active=True)
            .distinct()
            .order_by("path")
        )
        self.fields["areas"].queryset = choices
        # The speaker's own area is chosen already when they hold one only.
        own = {
            *(scope.roots(for_user, Capability.OPERATE_BROADCASTS) or ()),
            *(scope.roots(for_user, Capability.BROADCAST_EMERGENCY) or ()),
        }
        if len(own) == 1:
            self.fields["areas"].initial = list(
                choices.filter(path=own.pop()).values_list("pk", flat=True)
            )
        if not scope.can_anywhere(for_user, Capability.BROADCAST_EMERGENCY):
            self.fields["level"].choices = [
                c for c in Level.choices if c[0] != Level.EMERGENCY
            ]
        self.fields["bulletin"].queryset = scope.scope(
            Bulletin.objects.filter(status=Status.PUBLISHED),
            for_user,
            Capability.VIEW,
            path_field="issuing_area__path",
        ).order_by("-first_published_at", "-pk")
        self.add_otp(for_user)
        if "otp" in self.fields:
            self.fields["otp"].required = False
            self.fields["otp"].widget.attrs.pop("autofocus", None)
            self.fields["otp"].help_text = _("Needed for an emergency only.")
