"""Console pages of what boards show besides bulletins, of emergencies, and of allowed sites."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import Button

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
)
from grassroots.accounts.roles import Capability
from grassroots.core.console import ActionDeleteMixin

from .. import actions
from ..models import AllowedOrigin, BoardItem, Takeover
from .forms import BoardItemForm, OriginForm
from .mixins import ActionFormMixin, local_time

# Board items ------------------------------------------------------------------


def _item_content(form, item: BoardItem | None) -> actions.ItemContent:
    data = form.cleaned_data
    upload = data.get("upload")
    return actions.ItemContent(
        area=data["area"],
        kind=data["kind"],
        title=data["title"],
        text=data.get("text") or "",
        url=data.get("url") or "",
        upload=upload,
        upload_name=getattr(upload, "name", ""),
        duration_s=data["duration_s"],
        position=data["position"],
        enabled=data["enabled"],
        weekdays="".join(data["weekdays"]),
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        is_essential=data["is_essential"],
        boards=list(data.get("boards") or []),
    )


class ItemCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        return actions.save_item(self.request.user, _item_content(form, None))


class ItemEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        stored = BoardItem.objects.get(pk=self.object.pk)
        return actions.save_item(self.request.user, _item_content(form, stored), stored)


class ItemDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_item(self.request.user, instance)


class ItemIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("area")
            .prefetch_related("boards")
        )


def _when(item: BoardItem) -> str:
    parts = []
    if item.start_date or item.end_date:
        parts.append(
            "%s–%s"
            % (
                item.start_date.strftime("%d/%m/%Y") if item.start_date else "…",
                item.end_date.strftime("%d/%m/%Y") if item.end_date else "…",
            )
        )
    if item.start_time or item.end_time:
        parts.append(
            "%s–%s"
            % (
                item.start_time.strftime("%H:%M") if item.start_time else "…",
                item.end_time.strftime("%H:%M") if item.end_time else "…",
            )
        )
    if item.weekdays != "0123456":
        names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        parts.append(", ".join(names[int(d)] for d in item.weekdays))
    return " · ".join(parts) or _("always")


class ItemViewSet(ScopedModelViewSet):
    model = BoardItem
    name = "boards_items"
    url_prefix = "boards/items"
    icon = "image"
    menu_label = gettext_lazy("Board content")
    menu_order = 200
    copy_view_enabled = False
    index_view_class = ItemIndexView
    add_view_class = ItemCreateView
    edit_view_class = ItemEditView
    delete_view_class = ItemDeleteView
    form_fields = BoardItemForm.Meta.fields
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("area", label=gettext_lazy("Area")),
        Column(
            "boards",
            label=gettext_lazy("Boards"),
            accessor=lambda i: (
                ", ".join(b.code for b in i.boards.all()) or _("all of the area")
            ),
        ),
        Column("when", label=gettext_lazy("When"), accessor=_when),
        Column("position", label=gettext_lazy("Order"), sort_key="position"),
        BooleanColumn("enabled", label=gettext_lazy("Shown")),
    ]
    list_filter = ["kind", "enabled"]
    search_fields = ["title", "text"]

    def get_form_class(self, for_update=False):
        return BoardItemForm


# Emergencies on the boards ---------------------------------------------------------


class TakeoverIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.is_active and all(
            scope.can(self.request.user, Capability.BROADCAST_EMERGENCY, p)
            for p in instance.area_paths
        ):
            buttons.append(
                Button(
                    _("End on the boards"),
                    url=reverse("boards_takeovers:release", args=[instance.pk]),
                    icon_name="cross",
                    priority=5,
                )
            )
        return buttons


def release_view(request, pk: int):
    """Confirm, then end an emergency on the boards (it stays ended)."""
    allowed = scope.scope(
        Takeover.objects.all(), request.user, Capability.VIEW, path_field="areas__path"
    )
    takeover = get_object_or_404(allowed.distinct(), pk=pk)
    back = reverse("boards_takeovers:index")
    if request.method == "POST":
        try:
            actions.release(emergency_id=takeover.emergency_id, actor=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The boards are back to their playlists."))
        return HttpResponseRedirect(back)
    return TemplateResponse(
        request,
        "boards/console/confirm.html",
        {
            "board": takeover,
            "page_title": _("End on the boards"),
            "header_title": _("End on the boards"),
            "warning": _(
                "The boards of these areas go back to their playlists at once. "
                "Loudspeakers are not affected. An emergency ended here does not "
                "come back on the boards."
            ),
            "back": back,
            "action_url": request.path,
        },
    )


class TakeoverViewSet(ScopedModelViewSet):
    """The list of emergencies on the boards, and ending one; nothing else.

    Wagtail's add, edit, delete, history and usage views are not routed: an
    edit here once put a commune's words on four other communes' boards,
    unaudited. Emergencies change through the emergencies app.
    """

    model = Takeover
    name = "boards_takeovers"
    url_prefix = "boards/emergencies"
    icon = "warning"
    menu_label = gettext_lazy("Emergencies on the boards")
    menu_order = 300
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = TakeoverIndexView
    form_fields = ["title"]
    list_display = [
        "title",
        Column("level", label=gettext_lazy("Level")),
        Column(
            "areas",
            label=gettext_lazy("Areas"),
            accessor=lambda t: ", ".join(a.name for a in t.areas.all()),
        ),
        Column("source", label=gettext_lazy("Source"), accessor="get_source_display"),
        Column(
            "started_at",
            label=gettext_lazy("Started"),
            accessor=lambda t: local_time(t.started_at),
            sort_key="started_at",
        ),
        Column(
            "released_at",
            label=gettext_lazy("Ended"),
            accessor=lambda t: local_time(t.released_at) or _("on the boards now"),
        ),
    ]
    search_fields = ["title", "emergency_id"]

    def get_urlpatterns(self):
        listing = [
            p
            for p in super().get_urlpatterns()
            if getattr(p, "name", None) in ("index", "index_results")
        ]
        return [*listing, path("<int:pk>/end/", release_view, name="release")]


# Allowed web sites ----------------------------------------------------------------


class OriginCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        data = form.cleaned_data
        return actions.add_origin(
            self.request.user, data["province"], data["origin"], data.get("note", "")
        )


class OriginEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        data = form.cleaned_data
        return actions.change_origin(
            self.request.user,
            self.object,
            data["province"],
            data["origin"],
            data.get("note", ""),
        )


class OriginDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_origin(self.request.user, instance)


class OriginIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)


class OriginViewSet(ScopedModelViewSet):
    model = AllowedOrigin
    name = "boards_origins"
    url_prefix = "boards/sites"
    icon = "globe"
    menu_label = gettext_lazy("Allowed web sites")
    menu_order = 400
    copy_view_enabled = False
    index_view_class = OriginIndexView
    add_view_class = OriginCreateView
    edit_view_class = OriginEditView
    delete_view_class = OriginDeleteView
    form_fields = OriginForm.Meta.fields
    list_display = ["origin", "province", "note"]

    def get_form_class(self, for_update=False):
        return OriginForm
