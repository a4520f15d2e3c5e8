from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from grassroots.accounts.permissions import ScopedPermissionPolicy
from grassroots.accounts.roles import Capability

from .models import Abbreviation
from .viewsets import SpeechViewSetGroup, install_defaults

# Policies first: Wagtail builds a fallback policy on first use otherwise.
# Everyone reads the dictionary of their province; province operators edit it.
register_permission_policy(
    Abbreviation,
    ScopedPermissionPolicy(
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
