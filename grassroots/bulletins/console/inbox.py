"""The commune's inbox in the console: what came down, from whom, what it did."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedModelViewSet
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level

from .. import actions, rules
from ..models import InboxItem, InboxState
from ..models import Level as Priority
from .policies import scoped


class InboxFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("What the commune did"), choices=InboxState.choices
    )
    level = django_filters.ChoiceFilter(
        label=_("Priority level"),
        field_name="bulletin__level",
        choices=Priority.choices,
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Area.objects.none()
    )
    received_at = django_filters.DateFromToRangeFilter(
        label=_("Received"), widget=DateRangePickerWidget
    )

    class Meta:
        model = InboxItem
        fields = ["state", "level", "commune"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["commune"].queryset = (
            scope.areas(getattr(request, "user", None), Capability.VIEW)
            .filter(level=Level.COMMUNE)
            .order_by("name")
        )


class InboxIndexView(scoped(ModelViewSet.index_view_class)):  # type: ignore[misc]  # scoped() builds on untyped Wagtail views
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related(
                "bulletin", "bulletin__issuing_area", "commune", "decided_by"
            )
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (actions.Decision.ADOPT, _("Adopt: air it on our loudspeakers")),
            (actions.Decision.IGNORE, _("Ignore: do not air it")),
        ],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InboxItemView(View):
    """One bulletin that came down: read it, and decide on a normal one."""

    template_name = "bulletins/console/inbox_item.html"

    def dispatch(self, request, pk):
        visible = scope.scope(
            InboxItem.objects.select_related(
                "bulletin", "bulletin__issuing_area", "bulletin__category", "commune"
            ),
            request.user,
            path_field="commune__path",
        )
        self.item = get_object_or_404(visible, pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render(DecisionForm(initial={"note": self.item.note}))

    def post(self, request, pk):
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide(
                    request.user,
                    self.item,
                    form.cleaned_data["decision"],
                    form.cleaned_data["note"],
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("bulletins_inbox:index")
        return self.render(form)

    def render(self, form):
        item = self.item
        may_decide = (
            rules.inbox_refusal(self.request.user, item.commune) is None
            and item.state
            in (InboxState.RECEIVED, InboxState.ADOPTED, InboxState.IGNORED)
            and item.bulletin.status == "published"
        )
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "item": item,
                "bulletin": item.bulletin,
                "form": form if may_decide else None,
            },
        )


def _detail_url(item: InboxItem) -> str:
    return reverse("bulletins_inbox:detail", args=[item.pk])


class InboxViewSet(ScopedModelViewSet):
    model = InboxItem
    icon = "mail"
    menu_label = _("From above")
    menu_order = 110
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = InboxIndexView
    filterset_class = InboxFilterSet
    list_per_page = 30
    search_fields = ["bulletin__title", "commune__name"]
    form_fields = ["note"]
    list_display = [
        TitleColumn(
            "bulletin",
            label=_("Bulletin"),
            get_url=_detail_url,
        ),
        Column(
            "level", label=_("Level"), accessor=lambda i: i.bulletin.get_level_display()
        ),
        Column(
            "sender",
            label=pgettext_lazy("sender", "From"),
            accessor=lambda i: i.bulletin.issuing_agency or i.bulletin.issuing_area,
        ),
        Column("commune", label=_("Commune")),
        DateColumn("received_at", label=_("Received"), sort_key="received_at"),
        StatusTagColumn(
            "state",
            label=_("What the commune did"),
            accessor="state_label",
            primary=lambda i: i.state != InboxState.RECEIVED,
        ),
        Column("decided_by", label=_("Decided by")),
    ]
    list_export = [
        "bulletin",
        "commune",
        "state",
        "received_at",
        "decided_by",
        "decided_at",
        "note",
        "aired_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("item/<int:pk>/", InboxItemView.as_view(), name="detail"),
        ]
