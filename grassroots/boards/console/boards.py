"""The board registry in the console: list with status and screenshot, register, change."""

from __future__ import annotations

from datetime import timedelta

from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
)
from grassroots.accounts.roles import Capability
from grassroots.core.console import ScopedInspectMixin

from .. import actions, coverage, playlist
from ..actions.registry import BOARD_FIELDS
from ..models import Board, BoardStatus, Takeover
from . import views
from .forms import BoardForm
from .mixins import ActionFormMixin, local_time


def connection_label(board: Board) -> str:
    status = getattr(board, "status", None)
    if status is None or status.last_seen_at is None:
        return _("never connected")
    state = _("online") if status.is_online() else _("offline")
    return _("%(state)s · last seen %(when)s") % {
        "state": state,
        "when": local_time(status.last_seen_at),
    }


class ConnectionColumn(Column):
    """Online or offline as a tag (scannable down a long list), then when last seen."""

    def get_value(self, instance):
        status = getattr(instance, "status", None)
        if status is None or status.last_seen_at is None:
            return _("never connected")
        online = status.is_online()
        return format_html(
            '<span class="w-status{}">{}</span> {}',
            " w-status--primary" if online else "",
            _("online") if online else _("offline"),
            local_time(status.last_seen_at),
        )


class ScreenshotColumn(Column):
    """A small picture of what the board showed last."""

    def get_value(self, instance):
        status = getattr(instance, "status", None)
        if status is None or status.screenshot_at is None:
            return "—"
        url = reverse("boards_board:screenshot", args=[instance.pk])
        return format_html(
            '<img src="{}?t={}" alt="{}" width="160" loading="lazy" '
            'style="border:1px solid #ccc;border-radius:4px">',
            url,
            int(status.screenshot_at.timestamp()),
            _("Screenshot taken %(when)s") % {"when": local_time(status.screenshot_at)},
        )


class BoardIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("area", "status")
            .defer("status__screenshot")
        )


def _fields(form) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in BOARD_FIELDS if name in data}


class BoardCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        data = form.cleaned_data
        return actions.register_board(
            self.request.user,
            area=data["area"],
            state=data["state"],
            state_since=data.get("state_since"),
            **_fields(form),
        )


class BoardEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        data = form.cleaned_data
        return actions.change_board(
            self.request.user,
            Board.objects.get(pk=self.object.pk),
            area=data["area"],
            state=data["state"],
            state_since=data.get("state_since"),
            **_fields(form),
        )


class BoardInspectView(ScopedInspectMixin, generic.InspectView):
    template_name = "boards/console/board_inspect.html"

    def get_state_since_display_value(self):
        return self.object.state_since.strftime("%d/%m/%Y")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = self.object
        user = self.request.user
        status, _created = BoardStatus.objects.defer("screenshot").get_or_create(
            board=board
        )
        width, height = board.viewport
        preview_width = 760
        can_manage = scope.can(user, Capability.MANAGE_DEVICES, board.area)
        context.update(
            {
                "status": status,
                "online": status.is_online(),
                "connection": connection_label(board),
                "last_seen": local_time(status.last_seen_at),
                "screenshot_at": local_time(status.screenshot_at),
                "screenshot_url": reverse("boards_board:screenshot", args=[board.pk]),
                "preview_url": reverse("boards_board:preview", args=[board.pk]),
                "preview": {
                    "width": width,
                    "height": height,
                    "scale": round(preview_width / width, 4),
                    "box_width": preview_width,
                    "box_height": round(height * preview_width / width),
                },
                "can_manage": can_manage,
                "can_command": scope.can(user, Capability.COMMAND_DEVICES, board.area)
                and board.player_token is not None,
                "player_url": (
                    self.request.build_absolute_uri(board.player_path)
                    if can_manage and board.player_path
                    else None
                ),
                "token_issued_at": local_time(board.token_issued_at),
                "takeovers": playlist.takeovers_for(board),
                "shown": coverage.board_summary(
                    board.pk, timezone.now() - timedelta(hours=24)
                ),
                "history": board.changes.select_related("area").order_by(
                    "-effective_on", "-pk"
                )[:10],
                "active_takeovers": Takeover.objects.active()
                .for_path(board.area.path)
                .count(),
            }
        )
        return context


class BoardViewSet(ScopedModelViewSet):
    model = Board
    icon = "desktop"
    menu_label = gettext_lazy("Boards")
    menu_order = 100
    url_prefix = "boards"
    name = "boards_board"
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = BoardIndexView
    add_view_class = BoardCreateView
    edit_view_class = BoardEditView
    inspect_view_class = BoardInspectView
    # Named one by one: the player token must never be listed with the rest.
    inspect_view_fields = [
        "code",
        "name",
        "area",
        "place",
        "location",
        "screen_size_in",
        "orientation",
        "state",
        "state_since",
        "page_seconds",
        "show_bulletins",
    ]
    form_fields = BoardForm.Meta.fields
    list_display = [
        Column("code", label=gettext_lazy("Code"), sort_key="code"),
        "name",
        Column("area", label=gettext_lazy("Area")),
        Column("place", label=gettext_lazy("Place"), accessor="get_place_display"),
        Column("state", label=gettext_lazy("State"), accessor="get_state_display"),
        ConnectionColumn("connection", label=gettext_lazy("Connection")),
        ScreenshotColumn("screenshot", label=gettext_lazy("Last screenshot")),
    ]
    list_filter = ["state", "place", "orientation"]
    search_fields = ["code", "name", "location"]
    list_per_page = 30

    def get_form_class(self, for_update=False):
        return BoardForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/screenshot/", views.screenshot, name="screenshot"),
            path("<int:pk>/player/", views.preview_page, name="preview"),
            path(
                "<int:pk>/player/playlist.json",
                views.preview_playlist,
                name="preview_playlist",
            ),
            path(
                "<int:pk>/player/media/item/<int:item>/<str:digest>",
                views.preview_item,
                name="preview_item",
            ),
            path(
                "<int:pk>/player/media/attachment/<int:attachment>/<str:digest>",
                views.preview_attachment,
                name="preview_attachment",
            ),
            path("<int:pk>/address/<str:what>/", views.address, name="address"),
            path("<int:pk>/command/", views.command, name="command"),
        ]
