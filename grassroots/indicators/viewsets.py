"""The console list of exports, narrowed to the areas the user may export."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
)
from grassroots.accounts.roles import Capability
from grassroots.accounts.viewsets import local_time

from .models import Export


class ExportPolicy(ScopedPermissionPolicy):
    """Exports are made by actions, never edited: reading only."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


class ExportIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)
    any_permission_required = ["view"]

    def get_edit_url(self, instance):
        return reverse("indicators_export_status", args=[instance.pk])


class ExportViewSet(ScopedModelViewSet):
    name = "indicators_exports"
    url_prefix = "indicators/exports"
    model = Export
    icon = "download"
    menu_label = _("Exports")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ExportIndexView
    form_fields: list[str] = []
    list_display = [
        "__str__",
        Column("requested_by", label=_("requested by")),
        Column(
            "requested_at",
            label=_("requested"),
            accessor=lambda e: local_time(e.requested_at),
            sort_key="requested_at",
        ),
        Column("state", label=_("state"), accessor="get_state_display"),
        Column("file_name", label=_("file")),
    ]
    list_filter = ["kind", "format", "state"]
    search_fields = ["area__name", "requested_by__username", "file_name"]


def export_policy() -> ExportPolicy:
    return ExportPolicy(
        Export,
        path_field="area_path",
        manage=Capability.EXPORT_REPORTS,
        view=Capability.EXPORT_REPORTS,
    )
