"""Console pages for the area tree: browse it, keep hamlets, import hamlet files."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count
from django.urls import reverse
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
)
from grassroots.accounts.roles import Capability
from grassroots.core.console import (
    ActionFormMixin,
    FormForUserMixin,
    RetireOrDeleteMixin,
)

from . import actions
from .models import HAMLET_KINDS, Area, Kind, Level
from .words import hamlet_label, hamlet_word


class HamletForm(forms.ModelForm):
    """Create or edit a hamlet; provinces and communes follow the catalogue."""

    commune = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("commune"))

    class Meta:
        model = Area
        fields = ["commune", "code", "name", "kind", "latitude", "longitude"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            scope.areas(for_user, Capability.MANAGE_AREAS)
            .communes()
            .active()
            .order_by("name")
        )
        self.fields["kind"].choices = [(k.value, k.label) for k in HAMLET_KINDS]
        self.fields["kind"].initial = Kind.HAMLET
        if self.instance.pk:
            self.fields["commune"].initial = self.instance.parent_id
            self.fields["commune"].disabled = True
        else:
            communes = list(self.fields["commune"].queryset[:2])
            if len(communes) == 1:
                # The administrator's only commune is chosen already.
                self.fields["commune"].initial = communes[0].pk


class _HamletSaveMixin(FormForUserMixin, ActionFormMixin):
    """Save through ``actions.save_hamlet``: a code in use is shown on the code field."""

    def run_action(self, form):
        data = form.cleaned_data
        hamlet = getattr(self, "object", None)
        return actions.save_hamlet(
            self.request.user,
            commune=data["commune"]
            if hamlet is None or hamlet.pk is None
            else hamlet.parent,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            hamlet=hamlet if hamlet is not None and hamlet.pk else None,
        )


def _level_choices() -> list[tuple[int, str]]:
    """The levels, the one below the commune in the installation's own word ("Ấp, khóm")."""
    return [
        (
            level.value,
            str(capfirst(hamlet_word() if level == Level.HAMLET else level.label)),
        )
        for level in Level
    ]


class AreaFilterSet(WagtailFilterSet):
    level = django_filters.ChoiceFilter(label=_("level"), choices=_level_choices)


class AreaIndexView(ScopedIndexMixin, generic.IndexView):
    """Areas in the user's scope, in tree order; ``?parent=ID`` walks down the tree."""

    scope_actions = ("view",)
    base_filterset_class = AreaFilterSet
    add_item_label = format_lazy(
        _("Add a {hamlet}"), hamlet=hamlet_label(capital=False)
    )

    def get_base_queryset(self):
        queryset = (
            super().get_base_queryset().annotate(children_count=Count("children"))
        )
        parent = self.request.GET.get("parent")
        if parent and parent.isdigit() and not self.is_searching:
            queryset = queryset.filter(parent_id=int(parent))
        return queryset

    def get_edit_url(self, instance):
        if instance.level == Level.HAMLET:
            return super().get_edit_url(instance)
        # Provinces and communes are not edited: their name opens what lies below.
        return f"{reverse(self.index_url_name)}?parent={instance.pk}"

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if scope.can_anywhere(self.request.user, Capability.MANAGE_AREAS):
            buttons.append(
                HeaderButton(
                    _("Import %(hamlets)s") % {"hamlets": hamlet_word(plural=True)},
                    url=reverse("areas_import"),
                    icon_name="upload",
                )
            )
        return buttons


class HamletCreateView(_HamletSaveMixin, generic.CreateView):
    pass


class HamletEditView(_HamletSaveMixin, ScopedObjectMixin, generic.EditView):
    def get_queryset(self):
        # Only hamlets are edited here; communes and provinces follow the catalogue.
        return super().get_queryset().filter(level=Level.HAMLET)


class AreaDeleteView(RetireOrDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    delete_with = staticmethod(actions.delete_area)
    closed_message = _(
        "%(name)s is still used by other records, so it is retired instead of "
        "deleted: it is no longer offered, and its history stays."
    )


class AreaViewSet(ScopedModelViewSet):
    model = Area
    icon = "site"
    menu_label = _("Areas")
    menu_order = 500
    add_to_admin_menu = True
    copy_view_enabled = False
    index_view_class = AreaIndexView
    ordering = "path"
    add_view_class = HamletCreateView
    edit_view_class = HamletEditView
    delete_view_class = AreaDeleteView
    form_fields = ["code", "name", "kind", "latitude", "longitude"]
    list_display = [
        "name",
        Column("code", label=_("Code")),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("parent", label=_("Part of")),
        Column("children_count", label=_("Units below")),
        BooleanColumn("is_active", label=_("Active")),
    ]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return HamletForm
