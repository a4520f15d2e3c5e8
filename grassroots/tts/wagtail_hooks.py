from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from .models import Abbreviation
from .viewsets import SpeechViewSetGroup, install_defaults


class ProvincePolicy(ScopedPermissionPolicy):
    """The scope rule for province-wide rows: commune staff neither see nor add any."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and (
            scope.roots(user, self.capability(action)) is None
            or scope.areas(user, self.capability(action)).provinces().exists()
        )


# Policies first: Wagtail builds a fallback policy on first use otherwise.
# Province staff read the province's dictionary; its operators edit it.
register_permission_policy(
    Abbreviation,
    ProvincePolicy(
        Abbreviation,
        path_field="province__path",
        manage=Capability.OPERATE_BROADCASTS,
    ),
)


@hooks.register("register_admin_viewset")
def register_speech():
    return SpeechViewSetGroup()


@hooks.register("register_admin_urls")
def register_install_url():
    return [
        path(
            "speech-dictionary-install/",
            install_defaults,
            name="speech_dictionary_install",
        )
    ]
