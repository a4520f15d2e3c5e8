from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import views


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("live/", views.index, name="live_index"),
        path("live/new/", views.start, name="live_start"),
        path("live/<int:pk>/", views.session_page, name="live_session"),
        path("live/<int:pk>/status/", views.session_status, name="live_status"),
        path("live/<int:pk>/microphone/", views.microphone, name="live_microphone"),
        path("live/<int:pk>/end/", views.end, name="live_end"),
        path("live/<int:pk>/recording.mp3", views.recording, name="live_recording"),
    ]


class LiveMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_anywhere(request.user, Capability.VIEW)


@hooks.register("register_admin_menu_item")
def live_menu_item():
    return LiveMenuItem(
        _("Live broadcast"), reverse("live_index"), icon_name="media", order=91
    )
