from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from . import console
from .models import ReceivedAlert

register_permission_policy(
    ReceivedAlert,
    ScopedPermissionPolicy(
        ReceivedAlert, path_field="area__path", manage=Capability.BROADCAST_EMERGENCY
    ),
)


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("cap/", console.index, name="cap_index"),
        path("cap/waiting/", console.waiting, name="cap_waiting"),
        path("cap/<int:pk>/", console.detail, name="cap_detail"),
        path("cap/<int:pk>/confirm/", console.confirm, name="cap_confirm"),
        path("cap/<int:pk>/dismiss/", console.dismiss, name="cap_dismiss"),
        path("cap/sources/<int:peer_pk>/", console.source, name="cap_source"),
    ]


class CapMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.VIEW)


@hooks.register("register_admin_menu_item")
def cap_menu_item():
    return CapMenuItem(
        _("CAP warnings"), reverse("cap_index"), icon_name="warning", order=91
    )
