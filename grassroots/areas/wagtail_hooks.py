from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from . import views
from .models import Area
from .viewsets import AreaViewSet

register_permission_policy(
    Area,
    ScopedPermissionPolicy(Area, path_field="path", manage=Capability.MANAGE_AREAS),
)


@hooks.register("register_admin_viewset")
def register_areas():
    return AreaViewSet("areas")


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("areas-import/", views.import_hamlets, name="areas_import")]
