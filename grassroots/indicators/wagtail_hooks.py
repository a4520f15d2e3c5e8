from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .models import Export
from .views import dashboard, exports
from .viewsets import ExportViewSet, export_policy

register_permission_policy(Export, export_policy())


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("indicators/", dashboard.dashboard, name="indicators_dashboard"),
        path("indicators/export/", exports.request_export, name="indicators_export"),
        path(
            "indicators/export/<int:pk>/",
            exports.export_status,
            name="indicators_export_status",
        ),
        path(
            "indicators/export/<int:pk>/progress/",
            exports.export_progress,
            name="indicators_export_progress",
        ),
        path(
            "indicators/export/<int:pk>/download/",
            exports.download,
            name="indicators_export_download",
        ),
    ]


class ScopedMenuItem(MenuItem):
    def __init__(self, *args, capability: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.capability = capability

    def is_shown(self, request):
        return scope.can_anywhere(request.user, self.capability)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return ScopedMenuItem(
        _("Indicators"),
        reverse("indicators_dashboard"),
        icon_name="list-ul",
        order=150,
        capability=Capability.VIEW,
    )


@hooks.register("register_admin_viewset")
def register_exports():
    return ExportViewSet()


@hooks.register("register_admin_menu_item")
def exports_menu_item():
    return ScopedMenuItem(
        _("Exports"),
        reverse("indicators_exports:index"),
        icon_name="download",
        order=151,
        capability=Capability.EXPORT_REPORTS,
    )
