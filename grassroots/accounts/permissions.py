"""The scope rule, plugged into Wagtail's permission policies and generic views.

Wagtail decides from model permissions whether a user may "change bulletins" at
all; :class:`ScopedPermissionPolicy` adds *which* bulletins, by area. Console
viewsets mix :class:`ScopedIndexMixin` and :class:`ScopedObjectMixin` into their
views so that lists, edit,
delete and history pages only ever load rows inside the user's scope: an
out-of-scope id gives 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from wagtail.admin.views.generic import DeleteView, EditView, InspectView
from wagtail.admin.views.generic.base import BaseListingView, BaseObjectMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from . import scope
from .roles import Capability

#: Default capability asked for each Wagtail action.
READ_ACTIONS = frozenset({"view", "inspect", "history", "usage"})


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, narrowed to the areas where the user holds a capability.

    ``path_field`` leads from the model to an area path (as in
    :func:`scope.scope`); ``capabilities`` maps a Wagtail action ("add",
    "change", "delete", "publish", ...) to the capability it needs; actions
    not listed need ``manage``, and reading needs ``view``.
    """

    def __init__(
        self,
        model: type[Model],
        *,
        path_field: str,
        manage: str,
        view: str = Capability.VIEW,
        capabilities: Mapping[str, str] | None = None,
        auth_model: type[Model] | None = None,
    ):
        super().__init__(model, auth_model=auth_model)
        self.path_field = path_field
        self.manage = manage
        self.view = view
        self.capabilities = dict(capabilities or {})

    def capability(self, action: str) -> str:
        if action in self.capabilities:
            return self.capabilities[action]
        return self.view if action in READ_ACTIONS else self.manage

    def path_of(self, instance: Any) -> str | None:
        """Return the area path ``instance`` belongs to, following ``path_field``."""
        value = instance
        for part in self.path_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and scope.can_anywhere(
            user, self.capability(action)
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and scope.can(
            user, self.capability(action), self.path_of(instance)
        )

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return scope.scope(
            self.model._default_manager.all(),
            user,
            self.capability(action),
            path_field=self.path_field,
        )

    def instances_user_has_any_permission_for(self, user, actions):
        querysets = [self.instances_user_has_permission_for(user, a) for a in actions]
        result = querysets[0]
        for qs in querysets[1:]:
            result = result | qs
        return result.distinct()


class ScopedIndexMixin:
    """Scope the rows of a Wagtail generic index view."""

    scope_actions: tuple[str, ...] = ("view", "change", "delete")

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return _scoped(self, queryset)


class ScopedObjectMixin:
    """Scope the object of any Wagtail generic object view (404 outside the scope).

    Wagtail's object views load their object three ways: edit and delete
    through ``get_queryset``, history and usage through
    ``get_base_object_queryset``, and inspect straight from the model by pk.
    All three go through the permission policy here, so a view that mixes
    this in cannot show another area's object whichever Wagtail view it is.
    """

    scope_actions: tuple[str, ...] = ("view", "change", "delete")

    def get_queryset(self):
        queryset = super().get_queryset()
        if isinstance(self, BaseListingView) and isinstance(self, BaseObjectMixin):
            return queryset  # a history or usage page's rows, not its object
        return _scoped(self, queryset)

    def get_base_object_queryset(self):
        queryset = super().get_base_object_queryset()
        return _scoped(self, queryset)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if isinstance(self, InspectView) and not in_scope(self, obj):
            raise Http404
        return obj


def _scoped(view: Any, queryset: QuerySet) -> QuerySet:
    allowed = view.permission_policy.instances_user_has_any_permission_for(
        view.request.user, view.scope_actions
    )
    return queryset.filter(pk__in=allowed.values("pk"))


def in_scope(view: Any, obj: Model) -> bool:
    """Return True if the view's user may act on ``obj`` with its scope actions."""
    return _scoped(view, type(obj)._default_manager.filter(pk=obj.pk)).exists()


#: Wagtail views that load one object by the pk in their URL.
OBJECT_VIEWS = (BaseObjectMixin, InspectView, EditView, DeleteView)


class ScopedViewSetMixin:
    """Narrow every object view of a Wagtail viewset to the user's scope.

    Edit, delete, copy, history, usage and inspect views (Wagtail's own and
    the app's) are built here with :class:`ScopedObjectMixin`, so a viewset
    cannot forget one: an id outside the scope is a 404 on every page of it.
    """

    def construct_view(self, view_class, **kwargs):
        if issubclass(view_class, OBJECT_VIEWS) and not issubclass(
            view_class, ScopedObjectMixin
        ):
            view_class = type(view_class.__name__, (ScopedObjectMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)


class ScopedModelViewSet(ScopedViewSetMixin, ModelViewSet):
    """Wagtail's ``ModelViewSet`` whose object pages all follow the scope rule."""
