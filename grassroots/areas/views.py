from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability
from grassroots.core import tabular

from . import actions
from .forms import HamletImportForm
from .words import hamlet_word


def import_hamlets(request: SignedInRequest) -> HttpResponse:
    """Upload a hamlet file; show every problem by line and column, or import it all."""
    if not scope.can_anywhere(request.user, Capability.MANAGE_AREAS):
        raise PermissionDenied
    form = HamletImportForm(
        request.POST or None, request.FILES or None, for_user=request.user
    )
    errors: list[tabular.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.import_hamlets(
                form.cleaned_data["file"],
                commune=form.cleaned_data["commune"],
                actor=request.user,
            )
        except tabular.TableError as exc:
            errors = exc.errors
            messages.error(
                request,
                _(
                    "Nothing was imported. Fix the rows below and upload the file again."
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("Imported %(hamlets)s: %(result)s.")
                % {"hamlets": hamlet_word(plural=True), "result": result},
            )
            return redirect("areas:index")
    return render(
        request, "areas/import_hamlets.html", {"form": form, "errors": errors}
    )
