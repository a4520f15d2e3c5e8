"""The console's home page per role: what to do now, then the role's main actions.

Each line of the to-do list is asked by capability (never by role), counted in
the user's scope, and links to the list that holds the work; a line with
nothing to do is left out, so an empty list says "nothing waiting".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.ui.components import Component

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability as C
from grassroots.areas.words import hamlet_word
from grassroots.core import numbers


@dataclass
class Todo:
    text: str
    url: str
    urgent: bool = False


@dataclass
class Action:
    label: str
    url: str
    danger: bool = False


def _bulletins_to_approve(user) -> Todo | None:
    from grassroots.bulletins.models import Bulletin, Status

    waiting = scope.scope(
        Bulletin.objects.filter(status=Status.SUBMITTED).exclude(author=user),
        user,
        C.APPROVE_BULLETINS,
        path_field="issuing_area__path",
    )
    count = waiting.count()
    if not count:
        return None
    # One waiting: straight to where it is approved.
    url = (
        reverse("bulletins_bulletin:edit", args=[waiting.get().pk])
        if count == 1
        else reverse("bulletins_bulletin:list") + "?status=submitted"
    )
    return Todo(
        ngettext(
            "%(n)s bulletin awaits your approval",
            "%(n)s bulletins await your approval",
            count,
        )
        % {"n": numbers.text(count)},
        url,
        urgent=True,
    )


def _bulletins_returned(user) -> Todo | None:
    from grassroots.bulletins.models import Bulletin, Status

    count = scope.scope(
        Bulletin.objects.filter(status=Status.RETURNED),
        user,
        C.WRITE_BULLETINS,
        path_field="issuing_area__path",
    ).count()
    if not count:
        return None
    return Todo(
        ngettext(
            "%(n)s bulletin returned for changes",
            "%(n)s bulletins returned for changes",
            count,
        )
        % {"n": numbers.text(count)},
        reverse("bulletins_bulletin:list") + "?status=returned",
        urgent=True,
    )


def _feedback_due(user) -> Todo | None:
    from grassroots.feedback.models import Feedback

    today = timezone.localdate()
    mine = scope.scope(Feedback.objects.open(), user, C.HANDLE_FEEDBACK)
    overdue = mine.filter(due_date__lt=today).count()
    soon = mine.filter(
        due_date__gte=today, due_date__lte=today + datetime.timedelta(days=2)
    ).count()
    if not (overdue or soon):
        return None
    parts = []
    if overdue:
        parts.append(
            ngettext(
                "%(n)s feedback item past its deadline",
                "%(n)s feedback items past their deadline",
                overdue,
            )
            % {"n": numbers.text(overdue)}
        )
    if soon:
        parts.append(
            ngettext(
                "%(n)s due within two days",
                "%(n)s due within two days",
                soon,
            )
            % {"n": numbers.text(soon)}
        )
    return Todo(
        ", ".join(parts), reverse("feedback_console:index"), urgent=bool(overdue)
    )


def _clusters_offline(user) -> Todo | None:
    from grassroots.loudspeakers import selectors
    from grassroots.loudspeakers.models import Cluster

    offline = selectors.offline(scope.scope(Cluster.objects.all(), user)).count()
    if not offline:
        return None
    return Todo(
        ngettext(
            "%(n)s loudspeaker cluster offline",
            "%(n)s loudspeaker clusters offline",
            offline,
        )
        % {"n": numbers.text(offline)},
        reverse("loudspeakers_clusters:index") + f"?status={selectors.OFFLINE}",
        urgent=True,
    )


def _emergency_on_air(user) -> list[Todo]:
    from grassroots.emergencies.models import Emergency, State

    on_air = scope.scope(
        Emergency.objects.filter(state=State.ACTIVE).select_related("area"), user
    ).order_by("-started_at")[:3]
    return [
        Todo(
            (
                _("Drill on the air: %(title)s, %(area)s")
                if e.drill
                else _("Emergency on the air: %(title)s, %(area)s")
            )
            % {"title": e.title, "area": e.area.name},
            reverse("emergencies_live", args=[e.pk]),
            urgent=True,
        )
        for e in on_air
    ]


def _airings_today(user) -> Todo | None:
    from grassroots.broadcasts.models import ProgrammeSchedule
    from grassroots.broadcasts.rules import local_zone, occurrences

    today = timezone.localdate()
    start = datetime.datetime.combine(today, datetime.time(), tzinfo=local_zone())
    end = start + datetime.timedelta(days=1)
    schedules = scope.scope(
        ProgrammeSchedule.objects.filter(is_active=True, starts_on__lte=today).exclude(
            ends_on__lt=today
        ),
        user,
    )[:200]
    count = sum(len(occurrences(s, start, end)) for s in schedules)
    if not count:
        return None
    return Todo(
        ngettext(
            "%(n)s airing on the loudspeakers today",
            "%(n)s airings on the loudspeakers today",
            count,
        )
        % {"n": numbers.text(count)},
        reverse("broadcasts_calendar"),
    )


def todos(user) -> list[Todo]:
    """Return what the user should do now, most urgent first."""
    found: list[Todo | None] = []
    if scope.can_anywhere(user, C.VIEW):
        found += _emergency_on_air(user)
    if scope.can_anywhere(user, C.APPROVE_BULLETINS):
        found.append(_bulletins_to_approve(user))
    if scope.can_anywhere(user, C.WRITE_BULLETINS):
        found.append(_bulletins_returned(user))
    if scope.can_anywhere(user, C.HANDLE_FEEDBACK):
        found.append(_feedback_due(user))
    if scope.can_anywhere(user, C.OPERATE_BROADCASTS) or scope.can_anywhere(
        user, C.COMMAND_DEVICES
    ):
        found.append(_clusters_offline(user))
    if scope.can_anywhere(user, C.OPERATE_BROADCASTS):
        found.append(_airings_today(user))
    items = [t for t in found if t is not None]
    items.sort(key=lambda t: not t.urgent)
    return items


def actions(user) -> list[Action]:
    """Return the role's main actions, as big buttons on the home page."""
    out: list[Action] = []
    if scope.can_anywhere(user, C.WRITE_BULLETINS):
        out.append(Action(_("Write a bulletin"), reverse("bulletins_bulletin:add")))
    if scope.can_anywhere(user, C.APPROVE_BULLETINS):
        out.append(
            Action(
                _("Approve bulletins"),
                reverse("bulletins_bulletin:list") + "?status=submitted",
            )
        )
    if scope.can_anywhere(user, C.OPERATE_BROADCASTS):
        out.append(Action(_("Play now"), reverse("broadcasts_items:index")))
        out.append(Action(_("Schedule an airing"), reverse("broadcasts_schedules:add")))
    if scope.can_anywhere(user, C.BROADCAST_EMERGENCY):
        out.append(
            Action(_("Emergency broadcast"), reverse("emergencies_start"), danger=True)
        )
    if scope.can_anywhere(user, C.HANDLE_FEEDBACK):
        out.append(Action(_("Answer feedback"), reverse("feedback_console:index")))
    if scope.can_anywhere(user, C.VIEW):
        out.append(Action(_("Loudspeakers"), reverse("loudspeakers_clusters:index")))
    if scope.can_anywhere(user, C.MANAGE_AREAS):
        label = _("Add a {hamlet}").format(hamlet=hamlet_word())
        out.append(Action(label, reverse("areas:add")))
    if scope.can_anywhere(user, C.EXPORT_REPORTS):
        out.append(Action(_("Indicators and reports"), reverse("indicators_dashboard")))
    return out


class TodayPanel(Component):
    """First on the home page: what to do now, and the role's main actions."""

    name = "today"
    template_name = "core/home_today.html"
    order = 1

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        return {"todos": todos(user), "actions": actions(user)}
