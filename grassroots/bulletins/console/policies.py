"""Permission policies: Wagtail's model permissions narrowed by the scope rule."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import BaseListingView, BaseObjectMixin
from wagtail.permission_policies import ModelPermissionPolicy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from ..models import Bulletin, Status

C = Capability


class BulletinPolicy(ScopedPermissionPolicy):
    """Who may do what to which bulletins in the console.

    Nobody publishes or unpublishes directly: bulletins go out by approval and
    come down by withdrawal, both through our actions. ``review`` and
    ``withdraw`` are our own action names, for approvers.
    """

    NEVER = frozenset({"publish", "unpublish"})

    def __init__(self):
        super().__init__(
            Bulletin,
            path_field="issuing_area__path",
            manage=C.WRITE_BULLETINS,
            capabilities={
                "review": C.APPROVE_BULLETINS,
                "withdraw": C.APPROVE_BULLETINS,
            },
        )

    def user_has_permission(self, user, action):
        if action in self.NEVER:
            return False
        if action in ("review", "withdraw"):
            return scope.can_anywhere(user, self.capability(action))
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission_for_instance(user, action, instance):
            return False
        if action == "delete":
            return instance.first_published_at is None and instance.status in (
                Status.DRAFT,
                Status.RETURNED,
            )
        return True

    def instances_user_has_permission_for(self, user, action):
        if action in self.NEVER:
            return self.model._default_manager.none()
        if action in ("review", "withdraw"):
            return scope.scope(
                self.model._default_manager.all(),
                user,
                self.capability(action),
                path_field=self.path_field,
            )
        return super().instances_user_has_permission_for(user, action)


class ProvinceSettingPolicy(ModelPermissionPolicy):
    """Province-wide lists (categories): read by all staff, kept by province administrators."""

    def _keeps(self, user) -> bool:
        from ..actions.categories import may_keep_categories

        return may_keep_categories(user)

    def user_has_permission(self, user, action):
        if action == "delete" or not super().user_has_permission(user, action):
            return False
        if action == "view":
            return scope.can_anywhere(user, C.VIEW)
        return self._keeps(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_permission_for(self, user, action) -> QuerySet[Model]:
        if self.user_has_permission(user, action):
            return self.model._default_manager.all()
        return self.model._default_manager.none()


def scoped_objects(view, queryset: QuerySet, actions: tuple[str, ...]) -> QuerySet:
    """Return the rows of ``queryset`` the view's user may act on with any of ``actions``."""
    from wagtail.permissions import policy_registry

    policy = getattr(view, "permission_policy", None) or policy_registry.get_by_type(
        queryset.model
    )
    allowed = policy.instances_user_has_any_permission_for(view.request.user, actions)
    return queryset.filter(pk__in=allowed.values("pk"))


class ScopedObjectViewMixin:
    """Load the object of any Wagtail object view through the scope rule (404 outside)."""

    scope_actions: tuple[str, ...] = ("view",)

    def get_queryset(self):
        queryset = super().get_queryset()
        if isinstance(self, BaseListingView) and isinstance(self, BaseObjectMixin):
            return queryset  # a history or usage page's rows, not its object
        return scoped_objects(self, queryset, self.scope_actions)

    def get_base_object_queryset(self):
        queryset = super().get_base_object_queryset()
        return scoped_objects(self, queryset, self.scope_actions)

    def get_object(self, *args, **kwargs):
        # Wagtail's inspect view loads straight from the model by pk.
        obj = super().get_object(*args, **kwargs)
        if isinstance(self, InspectView):
            allowed = scoped_objects(
                self, type(obj)._default_manager.filter(pk=obj.pk), self.scope_actions
            )
            if not allowed.exists():
                raise Http404
        return obj


def scoped(view_class, actions: tuple[str, ...] = ("view",), **attrs):
    """Return ``view_class`` loading its object through the scope rule."""
    return type(
        view_class.__name__,
        (ScopedObjectViewMixin, view_class),
        {"scope_actions": actions, **attrs},
    )


class ReadOnlyScopedPolicy(ScopedPermissionPolicy):
    """Lists that only actions change (the inbox): reading follows the scope rule."""

    def user_has_permission(self, user, action):
        return action in ("view", "inspect") and super().user_has_permission(
            user, action
        )
