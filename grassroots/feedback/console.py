"""Console views for handling one item, recording offline feedback, and the numbers."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from grassroots.accounts import scope
from grassroots.accounts.models import User
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.core import numbers as number_formats
from grassroots.core import private_files
from grassroots.core.spreadsheets import safe_row

from . import abuse, actions, jurisdiction, stats
from .forms import MultipleFileField, OfflineFeedbackForm
from .models import Attachment, Feedback


def _item(request: HttpRequest, pk: int) -> Feedback:
    """Return the item if the user may see it; out of scope is a 404."""
    items = scope.scope(
        Feedback.objects.select_related(
            "category",
            "area",
            "place",
            "assigned_to",
            "possible_duplicate_of",
            "merged_into",
        ),
        request.user,
        Capability.VIEW,
    )
    return get_object_or_404(items, pk=pk)


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 6})
    )
    public = forms.BooleanField(
        label=gettext_lazy(
            "Public: show on the tracking page (no personal data in it)"
        ),
        required=False,
        initial=True,
    )
    # A declared field: the form metaclass moves it to base_fields, and
    # self.files stays the uploads (django-stubs sees the class attribute).
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("Attachments"), required=False
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Internal note"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=gettext_lazy("Send to")
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args, province: Area, current: Area, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = (
            Area.objects.filter(
                is_active=True, level__in=[Level.PROVINCE, Level.COMMUNE]
            )
            .under(province)
            .exclude(pk=current.pk)
            .order_by("level", "name")
        )


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("Handler")
    )

    def __init__(self, *args, item: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        paths = item.area.ancestor_paths
        cast(forms.ModelChoiceField, self.fields["handler"]).queryset = (
            User.objects.filter(
                is_active=True,
                role_assignments__area__path__in=paths,
                role_assignments__role__in=["feedback_handler", "administrator"],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


def handle(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one item with its whole history, and the forms to act on it."""
    item = _item(request, pk)
    can_handle = scope.can(request.user, Capability.HANDLE_FEEDBACK, item.area)
    province = (
        item.area if item.area.level == Level.PROVINCE else item.area.parent
    ) or item.area
    context = {
        "item": item,
        "events": item.events.select_related(
            "actor", "from_area", "to_area"
        ).prefetch_related("attachments"),
        "attachments": item.attachments.filter(event=None),
        "can_handle": can_handle,
        "overdue": item.is_overdue(),
        "on_time": item.answered_on_time(),
        "duplicates": item.possible_duplicates.filter(merged_into=None),
    }
    if can_handle:
        context.update(
            answer_form=AnswerForm(prefix="answer"),
            note_form=NoteForm(prefix="note"),
            reassign_form=ReassignForm(
                prefix="reassign", province=province, current=item.area
            ),
            assign_form=AssignForm(prefix="assign", item=item),
        )
    return render(request, "feedback/console/handle.html", context)


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """Run one handling action from the item's page, then go back to it."""
    item = _item(request, pk)
    user = request.user
    what = request.POST.get("action", "")
    form: forms.Form
    province = (
        item.area if item.area.level == Level.PROVINCE else item.area.parent
    ) or item.area
    try:
        if what == "start":
            actions.start(user, item)
        elif what == "assign":
            form = AssignForm(request.POST, prefix="assign", item=item)
            _valid(form)
            actions.assign(user, item, form.cleaned_data["handler"])
        elif what == "answer":
            form = AnswerForm(request.POST, request.FILES, prefix="answer")
            _valid(form)
            files = abuse.check_files(form.cleaned_data["files"], staff=True)
            actions.answer(
                user,
                item,
                form.cleaned_data["text"],
                public=form.cleaned_data["public"],
                files=files,
                close="close" in request.POST,
            )
        elif what == "note":
            form = NoteForm(request.POST, prefix="note")
            _valid(form)
            actions.add_note(user, item, form.cleaned_data["text"])
        elif what == "reassign":
            form = ReassignForm(
                request.POST, prefix="reassign", province=province, current=item.area
            )
            _valid(form)
            actions.reassign(
                user, item, form.cleaned_data["area"], form.cleaned_data["reason"]
            )
        elif what == "close":
            actions.close(user, item, request.POST.get("reason", ""))
        elif what == "merge" and item.possible_duplicate_of is not None:
            actions.merge(user, item, item.possible_duplicate_of)
        elif what == "not_duplicate":
            actions.not_duplicate(user, item)
        elif what in ("publish", "unpublish"):
            actions.set_portal_visibility(user, item, what == "publish")
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(
            getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]
        )
        messages.error(request, text)
    else:
        messages.success(request, _done(what, "close" in request.POST, item))
    return redirect("feedback_console:handle", pk=item.pk)


def _done(what: str, closed: bool, item: Feedback) -> str:
    """Say what the action did, naming the item ("Đã đóng phản ánh …")."""
    if what == "answer" and closed:
        text = _("Answered and closed feedback %(code)s.")
    else:
        text = {
            "start": _("Started handling feedback %(code)s."),
            "assign": _("Assigned feedback %(code)s."),
            "answer": _("Answered feedback %(code)s."),
            "note": _("Added an internal note to feedback %(code)s."),
            "reassign": _("Sent feedback %(code)s to another unit."),
            "close": _("Closed feedback %(code)s."),
        }.get(what, _("Done."))
    return text % {"code": item.display_code}


def _valid(form: forms.Form) -> None:
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[f].label if f in form.fields else ''}: {e}"
                for f, errs in form.errors.items()
                for e in errs
            ]
        )


def record(request: HttpRequest) -> HttpResponse:
    """Record feedback a citizen gave by phone, in person or by letter."""
    if not scope.can_anywhere(request.user, Capability.HANDLE_FEEDBACK):
        raise PermissionDenied
    province = jurisdiction.province()
    form = OfflineFeedbackForm(
        request.POST or None,
        request.FILES or None,
        province=province,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.record_offline(
                request.user,
                actions.Submission(
                    category=data["category"],
                    description=data["description"],
                    channel=data["channel"],
                    place=data["place"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    address=data["address"],
                    citizen_name=data["citizen_name"],
                    phone=data["phone"],
                    email=data["email"],
                    consent=data["consent"],
                    files=data["files"],
                    received_at=data["received_at"],
                ),
                province=province,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(
                request,
                _("Recorded. Give the citizen the tracking code %(code)s.")
                % {"code": item.display_code},
            )
            return redirect("feedback_console:handle", pk=item.pk)
    return render(request, "feedback/console/record.html", {"form": form})


def may_read(user, found: Attachment) -> bool:
    """Return True if ``user`` may open the file: citizens' files are for handlers.

    A file of a public answer is for everyone who sees the item; a citizen's
    photo or recording, like their name and phone, only for the feedback
    handlers and administrators of the area.
    """
    capability = Capability.VIEW if found.is_public else Capability.HANDLE_FEEDBACK
    return scope.can(user, capability, found.feedback.area)


def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = get_object_or_404(
        Attachment.objects.select_related("feedback__area"), pk=pk
    )
    if not may_read(request.user, found):
        raise PermissionDenied
    return private_files.send(found.file, found.content_type)


def private_file(request: HttpRequest, name: str) -> private_files.Grant:
    """Let the console's file links (``/console/files/feedback/…``) follow ``may_read``."""
    found = (
        Attachment.objects.select_related("feedback__area").filter(file=name).first()
    )
    if found is None or not may_read(request.user, found):
        raise Http404
    return private_files.Grant(found.file, found.content_type)


class NumbersForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=gettext_lazy("Area")
    )
    start = forms.DateField(label=gettext_lazy("From"))
    end = forms.DateField(label=gettext_lazy("To"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = (
            scope.areas(user, Capability.VIEW)
            .filter(level__in=[Level.PROVINCE, Level.COMMUNE], is_active=True)
            .order_by("level", "name")
        )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end comes before the start."))
        return data


def numbers(request: HttpRequest) -> HttpResponse:
    """Show the figures of an area and period, with one row per commune below it."""
    if not scope.can_anywhere(request.user, Capability.VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    home = scope.home_area(request.user, Capability.VIEW)
    initial: dict[str, Any] = {
        "area": home,
        "start": date(today.year, 1, 1),
        "end": today,
    }
    form = NumbersForm(request.GET or None, user=request.user, initial=initial)
    context: dict = {"form": form}
    if request.GET and not form.is_valid():
        return render(request, "feedback/console/numbers.html", context)
    data = form.cleaned_data if request.GET else initial
    area, start, end = data["area"], data["start"], data["end"]
    if area is None:
        return render(request, "feedback/console/numbers.html", context)
    summary = stats.summary(area, start, end, by_area=area.level == Level.PROVINCE)
    names = {
        a.path: a
        for a in Area.objects.filter(path__in=list(summary.by_area)).order_by("name")
    }
    rows = [
        (names[path], part)
        for path, part in sorted(
            summary.by_area.items(),
            key=lambda kv: (kv[0] != area.path, names[kv[0]].name),
        )
        if path in names
    ]
    from .models import Category, Channel

    categories = dict(Category.objects.values_list("code", "name"))
    context.update(
        summary=summary,
        area=area,
        rows=rows,
        by_category=[(categories.get(k, k), v) for k, v in summary.by_category.items()],
        by_channel=[(Channel(k).label, v) for k, v in summary.by_channel.items()],
    )
    if request.GET.get("format") == "csv":
        return _csv(summary, context)
    return render(request, "feedback/console/numbers.html", context)


def _csv(summary, context) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="phan-anh-so-lieu.csv"'
    response.write("\ufeff")
    # ";" and decimal commas: what Excel with Vietnamese settings reads (core.numbers).
    writer = csv.writer(response, delimiter=number_formats.CSV_DELIMITER)
    writer.writerow(
        [
            capfirst(str(label))
            for label in (
                _("slice"),
                pgettext("feedback", "received"),
                _("handled on time"),
                _("handled late"),
                _("open, in time"),
                _("overdue"),
                _("closed without answer"),
                _("handled on the system (%)"),
                _("average hours to answer"),
            )
        ]
    )

    def row(label, c):
        rate = c.handled_rate
        hours = c.average_hours_to_answer
        writer.writerow(
            safe_row(
                [
                    label,
                    c.received,
                    c.handled_on_time,
                    c.handled_late,
                    c.open_in_time,
                    c.overdue_open,
                    c.closed_unanswered,
                    number_formats.csv_value(rate * 100, 1) if rate is not None else "",
                    number_formats.csv_value(hours, 1) if hours is not None else "",
                ]
            )
        )

    row(str(context["area"]), summary)
    for commune, part in context["rows"]:
        row(str(commune), part)
    for label, part in context["by_category"]:
        row(label, part)
    for label, part in context["by_channel"]:
        row(label, part)
    return response
