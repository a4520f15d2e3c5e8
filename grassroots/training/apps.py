from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_MODELS = ("official", "course", "trainingsession", "attendance")
_VIEW = [f"training.view_{m}" for m in _MODELS]


class TrainingConfig(AppConfig):
    name = "grassroots.training"
    label = "training"
    verbose_name = _("training")
    # Everyone may read the training records of their area; administrators
    # (who hold MANAGE_TRAINING) keep them.
    role_permissions = {
        Role.ADMINISTRATOR: [
            *_VIEW,
            *(f"training.{verb}_{m}" for m in _MODELS for verb in ("add", "change")),
            "training.delete_official",
            "training.delete_course",
            "training.delete_trainingsession",
        ],
        **{
            role: _VIEW
            for role in (
                Role.EDITOR,
                Role.APPROVER,
                Role.OPERATOR,
                Role.FEEDBACK_HANDLER,
                Role.VIEWER,
            )
        },
    }
