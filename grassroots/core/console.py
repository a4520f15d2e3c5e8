"""What console views that save through actions share: refusals become form errors or messages.

Every app's Wagtail viewsets change objects only through actions; these mixins
turn an action's ``ValidationError`` or ``PermissionDenied`` into errors on the
form (or a message on a delete), never a 500, and narrow Wagtail's inspect view
to the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404


def add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    """Put an action's refusal on the form, field by field where it can."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or str(exc))


class FormForUserMixin:
    """Give the form the user, for forms whose choices follow the user's scope."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class ActionFormMixin:
    """Save through an action; its refusals come back on the form, never a 500."""

    def run_action(self, form):  # pragma: no cover - each view defines it
        raise NotImplementedError

    def add_errors(self, form, exc: ValidationError | PermissionDenied) -> None:
        add_errors(form, exc)

    def save_instance(self):
        return self.run_action(self.form)

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except (ValidationError, PermissionDenied) as exc:
            self.add_errors(form, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        return self.save_action()


class ActionErrorsMixin:
    """For views whose save runs Wagtail's own steps (revisions, workflows) around an action.

    The whole save is one transaction; an action's ``ValidationError`` or
    ``PermissionDenied`` rolls it back and comes back on the form, field by
    field, with what the user typed kept (never Wagtail's "no permission" page).
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
            return self.form_invalid(form)


class ModelActionFormMixin(ActionFormMixin):
    """Save a model form's unsaved instance through ``domain_save(user, instance)``."""

    domain_save: Callable[[Any, Any], Any] | None = None

    def run_action(self, form):
        instance = form.save(commit=False)
        save = type(self).domain_save
        if save is None:
            raise NotImplementedError("set domain_save")
        return save(self.request.user, instance)


class ActionDeleteMixin:
    """Delete through an action; a refusal is shown as a message."""

    def delete_function(self, instance):  # pragma: no cover - each view defines it
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.delete_function(self.object)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(self.request, " ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseRedirect(self.get_success_url())
        messages.success(self.request, self.get_success_message())
        return HttpResponseRedirect(self.get_success_url())


class ScopedInspectMixin:
    """Wagtail's inspect view loads by pk alone; narrow it to the user's scope."""

    def get_object(self, queryset=None):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user,
            ("view", "change", "delete"),
        )
        return get_object_or_404(allowed, pk=self.pk)


class RetireOrDeleteMixin(ActionDeleteMixin):
    """Delete through an action that may retire instead (``core.references``).

    ``delete_with(user, instance)`` returns ``"deleted"`` or ``"closed"``;
    when the records still use the row, ``closed_message`` says what was done
    instead of deleting it.
    """

    delete_with: Callable[[Any, Any], str] | None = None
    closed_message: Any = ""

    def delete_function(self, instance):
        action = type(self).delete_with
        if action is None:
            raise NotImplementedError("set delete_with")
        self.outcome = action(self.request.user, instance)

    def get_success_message(self):
        if getattr(self, "outcome", "") == "closed":
            return self.closed_message % {"name": self.object}
        return super().get_success_message()
