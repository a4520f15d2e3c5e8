from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .viewsets import AuditViewSet, RoleAssignmentViewSet, register_policies

# Policies first: Wagtail builds a fallback policy on first use otherwise.
register_policies()


@hooks.register("register_admin_viewset")
def register_roles():
    return RoleAssignmentViewSet("roles")


@hooks.register("register_admin_viewset")
def register_audit():
    return AuditViewSet("audit")


@hooks.register("register_account_menu_item")
def second_factor_menu_item(request):
    return {
        "url": reverse("accounts:otp_setup"),
        "label": _("Two-step verification"),
        "help_text": _("Protect your account with a code from your phone."),
    }


@hooks.register("before_bulk_action")
def refuse_bulk_account_changes(request, action_type, objects, action_class_instance):
    """Refuse Wagtail's bulk actions on accounts (activate, assign group, delete).

    They change accounts without our actions: no scope beyond a model
    permission, no audit entry, and groups that do not follow roles. Accounts
    are opened, closed and given roles one by one, through ``actions``.
    """
    if action_class_instance.model is get_user_model():
        raise PermissionDenied


@hooks.register("construct_reports_menu")
def hide_site_history(request, menu_items):
    """Offer Wagtail's site history to superusers only (see views.site_history)."""
    if not request.user.is_superuser:
        menu_items[:] = [i for i in menu_items if i.name != "site-history"]
