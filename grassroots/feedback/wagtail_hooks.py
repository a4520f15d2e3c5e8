from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from .models import ApiClient, CalendarDay, Category, Feedback
from .viewsets import FeedbackGroup, SettingsPolicy

# Policies first: Wagtail builds a fallback policy on first use otherwise.
register_permission_policy(
    Feedback,
    ScopedPermissionPolicy(
        Feedback, path_field="area__path", manage=Capability.HANDLE_FEEDBACK
    ),
)
for _model in (Category, CalendarDay, ApiClient):
    register_permission_policy(_model, SettingsPolicy(_model))


@hooks.register("register_admin_viewset")
def register_feedback():
    return FeedbackGroup()


class NumbersMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.VIEW)


@hooks.register("register_admin_menu_item")
def numbers_menu_item():
    return NumbersMenuItem(
        _("Feedback numbers"),
        reverse("feedback_console:numbers"),
        icon_name="table",
        order=151,
    )
