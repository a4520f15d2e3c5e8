from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permissions import register_permission_policy
from wagtail.snippets.action_menu import SubmitForModerationMenuItem
from wagtail.snippets.models import register_snippet

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from . import actions
from .console.bulletins import BulletinViewSet
from .console.exchange import CategoryViewSet, PeerViewSet
from .console.inbox import InboxViewSet
from .console.policies import (
    BulletinPolicy,
    ProvinceSettingPolicy,
    ReadOnlyScopedPolicy,
)
from .models import (
    Bulletin,
    Category,
    ChannelDelivery,
    DeliveryState,
    InboxItem,
    PeerSystem,
)


class PeerPolicy(ScopedPermissionPolicy):
    """Peers are deactivated, never deleted: their bulletins point at them."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)


# Policies first: Wagtail builds a fallback policy on first use otherwise.
register_permission_policy(Bulletin, BulletinPolicy())
register_permission_policy(
    InboxItem,
    ReadOnlyScopedPolicy(
        InboxItem, path_field="commune__path", manage=Capability.APPROVE_BULLETINS
    ),
)
register_permission_policy(
    PeerSystem,
    PeerPolicy(
        PeerSystem,
        path_field="area__path",
        manage=Capability.MANAGE_USERS,
        view=Capability.MANAGE_USERS,
    ),
)
register_permission_policy(Category, ProvinceSettingPolicy(Category))

register_snippet(BulletinViewSet)


@hooks.register("register_actions")
def register_bulletin_actions(registry):
    registry.register(Bulletin, actions.BulletinCreateAction)
    registry.register(Bulletin, actions.BulletinEditAction)
    registry.register(Bulletin, actions.BulletinDeleteAction)


@hooks.register("register_admin_viewset")
def register_inbox():
    return InboxViewSet("bulletins_inbox", url_prefix="inbox")


@hooks.register("register_admin_viewset")
def register_peers():
    return PeerViewSet("bulletins_peers", url_prefix="peers")


@hooks.register("register_admin_viewset")
def register_categories():
    return CategoryViewSet("bulletins_categories", url_prefix="categories")


@hooks.register("construct_snippet_action_menu")
def no_saving_under_review(menu_items, request, context):
    """Under review a bulletin is approved or returned, not changed.

    Saving is removed, and for a reviewer "Approve" becomes the main button
    (otherwise "Cancel workflow" would take its place).
    """
    instance = context.get("instance")
    if isinstance(instance, Bulletin) and instance.workflow_in_progress:
        kept = [i for i in menu_items if i.name != "action-save"]
        kept.sort(key=lambda i: 0 if i.name == "approve" else 1)
        menu_items[:] = kept
    elif context.get("model") is Bulletin or isinstance(instance, Bulletin):
        # Writing ends with "send for approval": the main button, not hidden
        # under "save draft", and said in two words, not the workflow's name.
        for item in menu_items:
            if item.name == "action-submit":
                item.__class__ = SendForApprovalMenuItem
        menu_items.sort(key=lambda i: 0 if i.name == "action-submit" else 1)


EVENT_LABELS = {
    "published": _("published"),
    "updated": _("updated"),
    "withdrawn": _("withdrawn"),
    "expired": _("expired"),
    "adopted": _("adopted by a commune"),
}


class ChannelFailuresPanel(Component):
    """On administrators' home page: channel events given up after every retry.

    A withdrawal that never reached the boards, a publication the
    loudspeakers never heard of: the administrator must know and act.
    """

    name = "bulletin_channel_failures"
    template_name = "bulletins/console/home_channel_failures.html"
    order = 30

    def __init__(self, failed):
        self.failed = failed

    @classmethod
    def build(cls, request) -> ChannelFailuresPanel | None:
        failed = scope.scope(
            ChannelDelivery.objects.filter(state=DeliveryState.FAILED),
            request.user,
            Capability.MANAGE_USERS,
            path_field="bulletin__issuing_area__path",
        )
        return cls(failed) if failed.exists() else None

    def get_context_data(self, parent_context=None):
        rows = list(self.failed.select_related("bulletin").order_by("-pk")[:10])
        for row in rows:
            row.event_label = EVENT_LABELS.get(row.event, row.event)
        return {"count": self.failed.count(), "rows": rows}


@hooks.register("construct_homepage_panels")
def add_channel_failures_panel(request, panels):
    if scope.can_anywhere(request.user, Capability.MANAGE_USERS):
        panel = ChannelFailuresPanel.build(request)
        if panel is not None:
            panels.append(panel)


class SendForApprovalMenuItem(SubmitForModerationMenuItem):
    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["label"] = _("Send for approval")
        return context
