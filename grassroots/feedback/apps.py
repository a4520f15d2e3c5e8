from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_READ = ["feedback.view_feedback"]
_HANDLE = [
    "feedback.view_feedback",
    "feedback.add_feedback",
    "feedback.change_feedback",
]
_SETTINGS = [
    "feedback.view_category",
    "feedback.add_category",
    "feedback.change_category",
    "feedback.view_calendarday",
    "feedback.add_calendarday",
    "feedback.change_calendarday",
    "feedback.delete_calendarday",
    "feedback.view_apiclient",
    "feedback.add_apiclient",
    "feedback.change_apiclient",
]


class FeedbackConfig(AppConfig):
    name = "grassroots.feedback"
    label = "feedback"
    verbose_name = _("citizen feedback")
    default_auto_field = "django.db.models.BigAutoField"
    # Which rows and which settings pages a user reaches comes from the scope
    # rule on top (settings pages need the capability on a province).
    #: Who may open which private file (core/private_files.py).
    private_files = {"feedback": "grassroots.feedback.console.private_file"}
    role_permissions = {
        Role.ADMINISTRATOR: [*_HANDLE, *_SETTINGS],
        Role.FEEDBACK_HANDLER: [*_HANDLE, *_SETTINGS],
        Role.EDITOR: _READ,
        Role.APPROVER: _READ,
        Role.OPERATOR: _READ,
        Role.VIEWER: _READ,
    }
