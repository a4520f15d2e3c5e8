"""Console pages for peer systems, their API keys, and the category list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedModelViewSet
from grassroots.accounts.roles import Capability

from .. import actions
from ..actions.categories import save_category
from ..models import ApiKey, Category, PeerSystem
from .policies import scoped


class _SaveThroughAction:
    """Save the form through an action; a refusal becomes a form error."""

    def save_instance(self):
        return self.save_with_action()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class PeerSaveMixin(_SaveThroughAction):
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        form.fields["area"].queryset = scope.areas(
            user, Capability.MANAGE_USERS
        ).filter(level__lte=3)
        provinces = scope.areas(user, Capability.MANAGE_USERS).provinces()
        if not user.is_superuser and not provinces.exists():
            field = form.fields["publishes_directly"]
            field.disabled = True
            field.help_text = _(
                "Only an administrator of the province may let a system publish "
                "without local approval."
            )
        return form

    def save_with_action(self):
        data = self.form.cleaned_data
        existing = getattr(self, "object", None)
        return actions.save_peer(
            self.request.user,
            name=data["name"],
            area=data["area"],
            can_push=data["can_push"],
            can_pull=data["can_pull"],
            publishes_directly=data["publishes_directly"],
            contact=data["contact"],
            is_active=data["is_active"],
            peer=existing if existing is not None and existing.pk else None,
        )


class PeerCreateView(PeerSaveMixin, ModelViewSet.add_view_class):
    pass


class PeerEditView(PeerSaveMixin, scoped(ModelViewSet.edit_view_class, ("change",))):  # type: ignore[misc]  # scoped() builds on untyped Wagtail views
    pass


class PeerIndexView(scoped(ModelViewSet.index_view_class)):  # type: ignore[misc]  # scoped() builds on untyped Wagtail views
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            Button(
                _("API keys"),
                url=reverse("bulletins_peers:keys", args=[instance.pk]),
                icon_name="key",
                priority=5,
            ),
        ]


class PeerKeysView(View):
    """List a peer's keys; issue one (shown once) or revoke one."""

    template_name = "bulletins/console/peer_keys.html"

    def dispatch(self, request, pk):
        managed = scope.scope(
            PeerSystem.objects.all(), request.user, Capability.MANAGE_USERS
        )
        self.peer = get_object_or_404(managed, pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return self.render()

    def post(self, request, pk):
        secret = None
        try:
            if "revoke" in request.POST:
                key = get_object_or_404(
                    ApiKey, peer=self.peer, pk=request.POST.get("revoke")
                )
                actions.revoke_key(request.user, key)
                messages.success(request, _("The key was revoked."))
                return redirect("bulletins_peers:keys", pk=self.peer.pk)
            _key, secret = actions.issue_key(request.user, self.peer)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("bulletins_peers:keys", pk=self.peer.pk)
        response = self.render(secret=secret)
        # The secret is on this page only: never cache it anywhere.
        response["Cache-Control"] = "no-store"
        return response

    def render(self, secret: str | None = None):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"peer": self.peer, "keys": self.peer.keys.all(), "secret": secret},
        )


class PeerViewSet(ScopedModelViewSet):
    model = PeerSystem
    icon = "link"
    menu_label = _("Peer systems")
    add_to_settings_menu = True
    menu_order = 630
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = PeerIndexView
    add_view_class = PeerCreateView
    edit_view_class = PeerEditView
    delete_view_class = scoped(ModelViewSet.delete_view_class, ("delete",))
    form_fields = [
        "name",
        "area",
        "can_push",
        "can_pull",
        "publishes_directly",
        "contact",
        "is_active",
    ]
    list_display = [
        "name",
        Column("area", label=_("Area")),
        Column("publishes_directly", label=_("Publishes without local approval")),
        Column("is_active", label=_("Active")),
        DateColumn("created_at", label=_("Created")),
    ]
    search_fields = ["name"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("keys/<int:pk>/", PeerKeysView.as_view(), name="keys"),
        ]


class CategorySaveMixin(_SaveThroughAction):
    def save_with_action(self):
        return save_category(self.request.user, self.form.instance)


class CategoryViewSet(ScopedModelViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Bulletin categories")
    add_to_settings_menu = True
    menu_order = 640
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = type(
        "CategoryCreateView", (CategorySaveMixin, ModelViewSet.add_view_class), {}
    )
    edit_view_class = type(
        "CategoryEditView", (CategorySaveMixin, ModelViewSet.edit_view_class), {}
    )
    form_fields = [
        "name",
        "slug",
        "description",
        "is_emergency",
        "sort_order",
        "is_active",
    ]
    list_display = [
        "name",
        Column("slug", label=_("Key")),
        Column("is_emergency", label=_("Emergency kind")),
        Column("is_active", label=_("In use")),
    ]
