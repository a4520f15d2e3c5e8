"""Console pages for staff accounts, their roles, and the audit log.

Each is a Wagtail viewset narrowed by the scope rule: an administrator of a
commune sees and manages the accounts and roles of that commune only.
"""

from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_user_views

from grassroots.core.console import ActionFormMixin, RetireOrDeleteMixin, add_errors

from . import actions, audit, oversight, scope, second_factor
from .audit import SignedInRequest
from .models import AuditEntry, RoleAssignment, Source, User
from .permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
    ScopedPermissionPolicy,
    ScopedViewSetMixin,
)
from .roles import Capability


def local_time(value) -> str:
    """Return a timestamp as dd/mm/yyyy hh:mm:ss in the province's time zone."""
    return date_format(timezone.localtime(value), "d/m/Y H:i:s") if value else ""


# Staff accounts ---------------------------------------------------------------

STAFF_FIELDS = [
    "username",
    "last_name",
    "first_name",
    "email",
    "phone",
    "position",
    "area",
]


class StaffFormMixin:
    """Limit the "works for" choices to the areas the editing user manages."""

    def __init__(self, *args, for_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields  # type: ignore[attr-defined]
        fields["email"].required = False
        fields["area"].required = not (for_user and for_user.is_superuser)
        fields["area"].queryset = scope.areas(for_user, Capability.MANAGE_USERS).filter(
            level__lte=3
        )
        fields.pop("groups", None)  # groups follow roles, see actions.sync_groups
        if for_user is None or not for_user.is_superuser:
            fields.pop("is_superuser", None)


class StaffCreationForm(StaffFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = [*STAFF_FIELDS, "is_superuser"]


class StaffEditForm(StaffFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = [*STAFF_FIELDS, "is_active", "is_superuser"]


class _FormForUser:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class StaffIndexView(ScopedIndexMixin, wagtail_user_views.IndexView):
    @cached_property
    def columns(self):
        # Wagtail's bulk actions change accounts without our actions and scope
        # (they are refused in wagtail_hooks.py); no boxes to tick for them.
        return [
            c for c in super().columns if not isinstance(c, BulkActionsCheckboxColumn)
        ]

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if second_factor.has_device(instance) and instance.pk != self.request.user.pk:
            buttons.append(
                Button(
                    _("Reset two-step verification"),
                    url=reverse("wagtailusers_users:reset_2fa", args=[instance.pk]),
                    icon_name="key",
                    priority=40,
                )
            )
        return buttons


class StaffCreateView(_FormForUser, ActionFormMixin, wagtail_user_views.CreateView):
    """A new account through ``actions.create_user`` (audited), never ``form.save``."""

    def run_action(self, form):
        data = form.cleaned_data
        return actions.create_user(
            self.request.user,
            username=data["username"],
            # The form checked the password against the validators already.
            password=data.get("password1") or None,
            check_password=False,
            area=data.get("area"),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            position=data.get("position", ""),
            is_superuser=bool(data.get("is_superuser")),
        )


class StaffEditView(
    _FormForUser, ScopedObjectMixin, ActionFormMixin, wagtail_user_views.EditView
):
    """Names, contact, area, password and open/closed through ``actions.update_user``."""

    def run_action(self, form):
        data = form.cleaned_data
        # The form wrote the new values on the instance; the action compares
        # them with the account as stored.
        stored = User.objects.get(pk=self.object.pk)
        changes = {f: data[f] for f in actions.EDITABLE if f in data}
        actions.update_user(
            self.request.user,
            stored,
            password=data.get("password1") or None,
            is_active=data.get("is_active") if "is_active" in form.fields else None,
            is_superuser=(
                data.get("is_superuser") if "is_superuser" in form.fields else None
            ),
            **changes,
        )
        if stored.pk == self.request.user.pk and data.get("password1"):
            update_session_auth_hash(self.request, stored)
        return stored


class StaffDeleteView(
    ScopedObjectMixin, RetireOrDeleteMixin, wagtail_user_views.DeleteView
):
    """Delete an unused account; close one the records name (``actions.delete_user``)."""

    delete_with = staticmethod(actions.delete_user)
    closed_message = _(
        "%(name)s has a history (sign-ins, bulletins or other records), so the "
        "account is closed instead of deleted: it can no longer sign in, and the "
        "records keep its name."
    )


class StaffHistoryView(ScopedObjectMixin, wagtail_user_views.HistoryView):
    pass


class ResetSecondFactorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        help_text=_("For example: lost phone, reported by phone call on 01/07."),
    )


def reset_second_factor_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """Confirm, then remove the devices of someone who lost their phone."""
    target = get_object_or_404(
        oversight.manageable(User.objects.all(), request.user).exclude(
            pk=request.user.pk
        ),
        pk=pk,
    )
    back = reverse("wagtailusers_users:index")
    form = ResetSecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_second_factor(
                request.user, target, reason=form.cleaned_data["reason"]
            )
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Two-step verification of %(name)s is reset; they enrol again.")
                % {"name": target},
            )
            return HttpResponseRedirect(back)
    return TemplateResponse(
        request,
        "accounts/otp_reset.html",
        {"form": form, "target": target, "back": back},
    )


class UserViewSet(ScopedViewSetMixin, wagtail_user_views.UserViewSet):
    index_view_class = StaffIndexView
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    delete_view_class = StaffDeleteView
    history_view_class = StaffHistoryView

    def get_form_class(self, for_update=False):
        return StaffEditForm if for_update else StaffCreationForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("reset-2fa/<int:pk>/", reset_second_factor_view, name="reset_2fa"),
        ]


# Roles -------------------------------------------------------------------------


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "area"]

    def __init__(self, *args, for_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        cast(
            forms.ModelChoiceField, self.fields["user"]
        ).queryset = oversight.manageable(
            User.objects.filter(is_active=True), for_user
        ).order_by("username")
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = scope.areas(
            for_user, Capability.MANAGE_USERS
        ).active()


class RoleCreateView(_FormForUser, ActionFormMixin, generic.CreateView):
    def get_success_buttons(self):
        return []  # no "Edit": roles are granted or taken back, not edited

    def run_action(self, form):
        # A refusal (not your area, not your account) comes back on the form.
        data = form.cleaned_data
        return actions.grant_role(
            self.request.user, data["user"], data["role"], data["area"]
        )


class RoleDeleteView(ScopedObjectMixin, generic.DeleteView):
    def delete_action(self):
        actions.revoke_role(self.request.user, self.object)


class RoleIndexView(ScopedIndexMixin, generic.IndexView):
    pass


class RoleAssignmentViewSet(ScopedModelViewSet):
    model = RoleAssignment
    icon = "group"
    menu_label = _("Roles")
    add_to_settings_menu = True
    menu_order = 610
    copy_view_enabled = False
    index_view_class = RoleIndexView
    add_view_class = RoleCreateView
    delete_view_class = RoleDeleteView
    form_fields = ["user", "role", "area"]
    list_display = [
        "user",
        Column("role", label=_("Role"), accessor="get_role_display"),
        "area",
        "granted_by",
        Column(
            "granted_at",
            label=_("Granted"),
            accessor=lambda r: local_time(r.granted_at),
        ),
    ]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "area__name",
    ]

    def get_form_class(self, for_update=False):
        return RoleAssignmentForm


# Audit log ----------------------------------------------------------------------


class StaffPolicy(ScopedPermissionPolicy):
    """Accounts: only those wholly within what the user may grant (``oversight``)."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and oversight.may_manage(
            user, instance
        )

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return oversight.manageable(self.model._default_manager.all(), user)


class RolePolicy(ScopedPermissionPolicy):
    """Roles: on areas the user manages, held by accounts the user manages.

    A role is granted or taken back (actions, audited, groups in step), never
    edited in place.
    """

    def user_has_permission(self, user, action):
        return action != "change" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return super().user_has_permission_for_instance(
            user, action, instance
        ) and oversight.may_manage(user, instance.user)

    def instances_user_has_permission_for(self, user, action):
        queryset = super().instances_user_has_permission_for(user, action)
        holders = oversight.manageable(User.objects.all(), user)
        return queryset.filter(user__in=holders.values("pk"))


class AuditPolicy(ScopedPermissionPolicy):
    """Reading only, for everyone, superusers included: the log is append-only."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


class AuditIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)
    any_permission_required = ["view"]


def _action_choices() -> list[tuple[str, str]]:
    """Return every action code the apps describe, by its label."""
    from django.apps import apps

    codes = {
        code
        for config in apps.get_app_configs()
        for code in getattr(config, "audit_actions", {})
    }
    return sorted(((code, audit.describe(code)) for code in codes), key=lambda c: c[1])


class AuditFilterSet(WagtailFilterSet):
    """Filter by what was done and through which channel, by name, and by dates.

    Django-filter's automatic labels read "When date is greater than or equal to";
    these read as a person would say them.
    """

    action = django_filters.ChoiceFilter(label=_("Action"), choices=_action_choices)
    source = django_filters.ChoiceFilter(label=_("Channel"), choices=Source.choices)
    at = django_filters.DateFromToRangeFilter(
        label=_("When"), widget=DateRangePickerWidget
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "source", "at"]


class AuditViewSet(ScopedModelViewSet):
    model = AuditEntry
    icon = "history"
    menu_label = _("Audit log")
    add_to_settings_menu = True
    menu_order = 620
    copy_view_enabled = False
    index_view_class = AuditIndexView
    inspect_view_enabled = False
    form_fields: list[str] = []
    list_per_page = 50
    list_display = [
        Column(
            "at", label=_("When"), accessor=lambda e: local_time(e.at), sort_key="at"
        ),
        Column("actor_name", label=_("Who")),
        Column("action", label=_("Action"), accessor="action_label"),
        Column("object_repr", label=_("Object")),
        Column("ip_address", label=pgettext_lazy("network", "Address")),
        Column("source", label=_("Channel"), accessor="get_source_display"),
    ]
    filterset_class = AuditFilterSet
    search_fields = ["actor_name", "object_repr", "action"]
    list_export = [
        "at",
        "actor_name",
        "ip_address",
        "source",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "area_path",
        "data",
    ]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Wagtail's groups and sites: read by superusers, changed by nobody here.

    Groups follow roles (``actions.sync_groups``): a group edited by hand
    would grant what no role says. The site is set when the system is
    installed. Neither has an action or an audit entry in the console.
    """

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


def register_policies() -> None:
    """Register the scoped policies; Wagtail wants this before any view is built."""
    from django.contrib.auth.models import Group
    from wagtail.models import Site
    from wagtail.permissions import register_permission_policy

    register_permission_policy(Group, ReadOnlyPolicy(Group))
    register_permission_policy(Site, ReadOnlyPolicy(Site))

    register_permission_policy(
        User,
        StaffPolicy(
            User,
            path_field="area__path",
            manage=Capability.MANAGE_USERS,
            view=Capability.MANAGE_USERS,
        ),
    )
    register_permission_policy(
        RoleAssignment,
        RolePolicy(
            RoleAssignment,
            path_field="area__path",
            manage=Capability.MANAGE_USERS,
            view=Capability.MANAGE_USERS,
        ),
    )
    register_permission_policy(
        AuditEntry,
        AuditPolicy(
            AuditEntry,
            path_field="area_path",
            manage=Capability.VIEW_AUDIT,
            view=Capability.VIEW_AUDIT,
        ),
    )
