from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from . import drill_views, views
from .models import Emergency

register_permission_policy(
    Emergency,
    ScopedPermissionPolicy(
        Emergency, path_field="area__path", manage=Capability.BROADCAST_EMERGENCY
    ),
)


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("emergencies/", views.index, name="emergencies_index"),
        path("emergencies/new/", views.start, name="emergencies_start"),
        path("emergencies/<int:pk>/", views.live_page, name="emergencies_live"),
        path(
            "emergencies/<int:pk>/status/",
            views.live_status,
            name="emergencies_status",
        ),
        path("emergencies/<int:pk>/cancel/", views.cancel, name="emergencies_cancel"),
        path("emergencies/<int:pk>/update/", views.update, name="emergencies_update"),
        path(
            "emergencies/<int:pk>/report/",
            drill_views.report_page,
            name="emergencies_report",
        ),
        path("emergencies/drills/new/", drill_views.start, name="emergencies_drill"),
        path(
            "emergencies/drills/<int:pk>/cancel/",
            drill_views.cancel_plan,
            name="emergencies_plan_cancel",
        ),
    ]


class EmergencyMenuItem(MenuItem):
    """Only for those who may broadcast one: others see an emergency on their home page."""

    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.BROADCAST_EMERGENCY)


@hooks.register("register_admin_menu_item")
def emergencies_menu_item():
    return EmergencyMenuItem(
        _("Emergency broadcast"),
        reverse("emergencies_index"),
        icon_name="warning",
        order=90,
    )
