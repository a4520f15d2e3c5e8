"""Console pages beyond the viewsets: imports, a session's attendance, certificates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability
from grassroots.core import numbers, tabular
from grassroots.core.text import fold

from . import actions, certificates, imports
from .forms import AttendanceForm, AttendanceImportForm, EnrolForm, RosterImportForm
from .models import Attendance, TrainingSession


def _errors_of(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def import_roster(request: SignedInRequest) -> HttpResponse:
    """Upload a roster file; show every problem by line and column, or import it all."""
    if not scope.can_anywhere(request.user, Capability.MANAGE_TRAINING):
        raise PermissionDenied
    form = RosterImportForm(
        request.POST or None, request.FILES or None, for_user=request.user
    )
    errors: list[tabular.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_roster(
                form.cleaned_data["file"],
                area=form.cleaned_data["area"],
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
            messages.error(request, _errors_of(exc))
        else:
            messages.success(
                request, _("Roster imported: %(result)s.") % {"result": result}
            )
            return redirect("training_roster:index")
    return render(
        request,
        "training/import.html",
        {"form": form, "errors": errors, "title": _("Import roster")},
    )


def _session(request: HttpRequest, pk: int) -> TrainingSession:
    session = get_object_or_404(
        TrainingSession.objects.select_related("course", "area"), pk=pk
    )
    if not scope.can(request.user, Capability.VIEW, session.area):
        raise Http404
    return session


def session_attendance(request: SignedInRequest, pk: int) -> HttpResponse:
    """Show a session's list of people; managers enrol, record and import here."""
    session = _session(request, pk)
    manage = scope.can(request.user, Capability.MANAGE_TRAINING, session.area)
    attendances = list(
        session.attendances.select_related("official__area").order_by(
            "official__area__path", "official__full_name"
        )
    )
    enrol_form = EnrolForm(for_user=request.user, session=session)
    import_form = AttendanceImportForm()
    errors: list[tabular.RowError] = []
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "enrol":
                enrol_form = EnrolForm(
                    request.POST, for_user=request.user, session=session
                )
                if enrol_form.is_valid():
                    added = actions.enrol(
                        request.user,
                        session,
                        list(enrol_form.cleaned_data["officials"]),
                    )
                    messages.success(
                        request,
                        _("%(n)s people added.") % {"n": numbers.text(len(added))},
                    )
                    return redirect("training_session_attendance", pk=session.pk)
            elif what == "record":
                # All rows or none: a refused row leaves the sheet as it was.
                with transaction.atomic():
                    changed = _record(request, session, attendances)
                messages.success(
                    request, _("%(n)s records saved.") % {"n": numbers.text(changed)}
                )
                return redirect("training_session_attendance", pk=session.pk)
            elif what == "remove":
                attendance = get_object_or_404(
                    Attendance, pk=request.POST.get("attendance"), session=session
                )
                actions.remove_attendance(request.user, attendance)
                messages.success(request, _("Removed from the list."))
                return redirect("training_session_attendance", pk=session.pk)
            elif what == "import":
                import_form = AttendanceImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    result = imports.import_attendance(
                        import_form.cleaned_data["file"],
                        session=session,
                        actor=request.user,
                    )
                    messages.success(
                        request,
                        _("Attendance imported: %(result)s.") % {"result": result},
                    )
                    return redirect("training_session_attendance", pk=session.pk)
        except tabular.TableError as exc:
            errors = exc.errors
            messages.error(
                request,
                _(
                    "Nothing was imported. Fix the rows below and upload the file again."
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors_of(exc))
    rows = [
        (
            attendance,
            AttendanceForm(
                prefix=f"a{attendance.pk}",
                initial={
                    "status": attendance.status,
                    "result": attendance.result,
                    "completed_on": attendance.completed_on,
                },
            ),
        )
        for attendance in attendances
    ]
    return render(
        request,
        "training/session_attendance.html",
        {
            "session": session,
            "rows": rows,
            "manage": manage,
            "enrol_form": enrol_form,
            "import_form": import_form,
            "errors": errors,
        },
    )


def _record(request, session, attendances) -> int:
    """Save the rows whose values changed and return how many."""
    changed = 0
    bad = []
    for attendance in attendances:
        form = AttendanceForm(request.POST, prefix=f"a{attendance.pk}")
        if not form.is_valid():
            bad.append(attendance.official.full_name)
            continue
        data = form.cleaned_data
        if (
            data["status"] == attendance.status
            and data["result"] == attendance.result
            and (data["completed_on"] or None) == attendance.completed_on
        ):
            continue
        actions.record_attendance(
            request.user,
            attendance,
            status=data["status"],
            result=data["result"],
            completed_on=data["completed_on"],
        )
        changed += 1
    if bad:
        messages.error(
            request,
            _("Check the dates of: %(names)s. Nothing else was lost.")
            % {"names": ", ".join(bad)},
        )
    return changed


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the PDF certificate of a completed attendance."""
    attendance = get_object_or_404(
        Attendance.objects.select_related(
            "official__area", "session__course", "session__area"
        ),
        pk=pk,
    )
    if not certificates.can_read(request.user, attendance):
        raise Http404
    try:
        data = certificates.issue_pdf(request.user, attendance)
    except ValidationError as exc:
        messages.error(request, _errors_of(exc))
        return redirect("training_session_attendance", pk=attendance.session_id)
    name = slugify(fold(attendance.official.full_name)) or "chung-nhan"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="chung-nhan-{name}-{attendance.pk}.pdf"'
    )
    return response
