"""What console views that save through actions share: refusals become form errors or messages.

Every app's Wagtail viewsets change objects only through actions; these mixins
turn an action's ``ValidationError`` or ``PermissionDenied`` into errors on the
form (or a message on a delete), never a 500, and narrow Wagtail's inspect view
to the user's scope.
"""

from __future__ import annotations

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
        return {**super().get_form_kwargs(), "for_user": self.request.user}  # type: ignore[misc]


class ActionFormMixin:
    """Save through an action; its refusals come back on the form, never a 500."""

    def run_action(self, form):  # pragma: no cover - each view defines it
        raise NotImplementedError

    def add_errors(self, form, exc: ValidationError | PermissionDenied) -> None:
        add_errors(form, exc)

    def save_instance(self):
        return self.run_action(self.form)  # type: ignore[attr-defined]

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except (ValidationError, PermissionDenied) as exc:
            self.add_errors(form, exc)
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined]
        return self.save_action()  # type: ignore[attr-defined]


class ActionErrorsMixin:
    """For views whose save runs Wagtail's own steps (revisions, workflows) around an action.

    The whole save is one transaction; an action's ``ValidationError`` or
    ``PermissionDenied`` rolls it back and comes back on the form, field by
    field, with what the user typed kept (never Wagtail's "no permission" page).
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)  # type: ignore[misc]
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
            return self.form_invalid(form)  # type: ignore[attr-defined]


class ModelActionFormMixin(ActionFormMixin):
    """Save a model form's unsaved instance through ``domain_save(user, instance)``."""

    domain_save = None

    def run_action(self, form):
        instance = form.save(commit=False)
        return type(self).domain_save(self.request.user, instance)  # type: ignore[attr-defined, misc]


class ActionDeleteMixin:
    """Delete through an action; a refusal is shown as a message."""

    def delete_function(self, instance):  # pragma: no cover - each view defines it
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.delete_function(self.object)  # type: ignore[attr-defined]
        except (ValidationError, PermissionDenied) as exc:
            messages.error(self.request, " ".join(getattr(exc, "messages", [str(exc)])))  # type: ignore[attr-defined]
            return HttpResponseRedirect(self.get_success_url())  # type: ignore[attr-defined]
        messages.success(self.request, self.get_success_message())  # type: ignore[attr-defined]
        return HttpResponseRedirect(self.get_success_url())  # type: ignore[attr-defined]


class ScopedInspectMixin:
    """Wagtail's inspect view loads by pk alone; narrow it to the user's scope."""

    def get_object(self, queryset=None):
        allowed = self.permission_policy.instances_user_has_any_permission_for(  # type: ignore[attr-defined]
            self.request.user,  # type: ignore[attr-defined]
            ("view", "change", "delete"),
        )
        return get_object_or_404(allowed, pk=self.pk)  # type: ignore[attr-defined]
