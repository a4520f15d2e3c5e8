from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_DICTIONARY = [
    "tts.add_abbreviation",
    "tts.change_abbreviation",
    "tts.delete_abbreviation",
    "tts.view_abbreviation",
]


class TtsConfig(AppConfig):
    name = "grassroots.tts"
    label = "tts"
    verbose_name = _("text-to-speech")
    # Who edits the dictionary, and where, is the scope rule's business
    # (OPERATE_BROADCASTS on the province); every role may read it.
    role_permissions = {
        Role.ADMINISTRATOR: _DICTIONARY,
        Role.OPERATOR: _DICTIONARY,
        Role.EDITOR: ["tts.view_abbreviation"],
        Role.APPROVER: ["tts.view_abbreviation"],
        Role.FEEDBACK_HANDLER: ["tts.view_abbreviation"],
        Role.VIEWER: ["tts.view_abbreviation"],
    }

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
