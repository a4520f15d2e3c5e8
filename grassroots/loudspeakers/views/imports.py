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

from .. import actions
from ..actions.registry import CLUSTER_COLUMNS
from ..forms import ClusterImportForm


def import_clusters(request: SignedInRequest) -> HttpResponse:
    """Upload a cluster file; show every problem by line and column, or import it all."""
    if not scope.can_anywhere(request.user, Capability.MANAGE_DEVICES):
        raise PermissionDenied
    form = ClusterImportForm(request.POST or None, request.FILES or None)
    errors: list[tabular.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.import_clusters(
                form.cleaned_data["file"], actor=request.user
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
                request, _("Clusters imported: %(result)s.") % {"result": result}
            )
            return redirect("loudspeakers_clusters:index")
    return render(
        request,
        "loudspeakers/import.html",
        {"form": form, "errors": errors, "columns": CLUSTER_COLUMNS},
    )
