from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_READ = [
    "loudspeakers.view_station",
    "loudspeakers.view_cluster",
]
_MANAGE = [
    "loudspeakers.add_station",
    "loudspeakers.change_station",
    "loudspeakers.add_cluster",
    "loudspeakers.change_cluster",
    *_READ,
]


class LoudspeakersConfig(AppConfig):
    name = "grassroots.loudspeakers"
    label = "loudspeakers"
    verbose_name = _("loudspeakers")
    # Which rows each role sees and may command comes from the scope rule;
    # these only open the console pages.
    role_permissions = {
        Role.ADMINISTRATOR: _MANAGE,
        Role.EDITOR: _READ,
        Role.APPROVER: _READ,
        Role.OPERATOR: _READ,
        Role.FEEDBACK_HANDLER: _READ,
        Role.VIEWER: _READ,
    }

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
