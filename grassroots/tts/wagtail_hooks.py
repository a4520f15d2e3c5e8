from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from grassroots.accounts import scope
from grassroots.accounts.permissions import READ_ACTIONS, ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from .models import Abbreviation
from .viewsets import SpeechViewSetGroup, install_defaults


class ProvincePolicy(ScopedPermissionPolicy):
    """The scope rule for province-wide rows: only province staff may add any.

    Reading follows the plain scope rule (commune staff get an empty list).
    """

    def user_has_permission(self, user, action):
        allowed = super().user_has_permission(user, action)
        if not allowed or action in READ_ACTIONS:
            return allowed
        capability = self.capability(action)
        return (
            scope.roots(user, capability) is None
            or scope.areas(user, capability).provinces().exists()
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
