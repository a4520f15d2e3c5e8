from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import views
from .viewsets import BroadcastsGroup, register_policies

# Policies first: Wagtail builds a fallback policy on first use otherwise.
register_policies()


@hooks.register("register_admin_viewset")
def register_broadcasts():
    return BroadcastsGroup()


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("broadcasts/calendar/", views.calendar, name="broadcasts_calendar"),
        path(
            "broadcasts/items/<int:pk>/play-now/",
            views.play_now,
            name="broadcasts_play_now",
        ),
        path(
            "broadcasts/schedules/clashes/",
            views.schedule_clashes,
            name="broadcasts_schedule_clashes",
        ),
        path(
            "broadcasts/schedules/<int:pk>/toggle/",
            views.toggle_schedule,
            name="broadcasts_schedule_toggle",
        ),
    ]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.VIEW)


@hooks.register("register_admin_menu_item")
def calendar_menu_item():
    return CalendarMenuItem(
        _("Broadcast calendar"),
        reverse("broadcasts_calendar"),
        icon_name="date",
        order=111,
    )
