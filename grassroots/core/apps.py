from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "grassroots.core"
    label = "core"
    verbose_name = _("core")

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the system check
            inputs,
            sentence_case,
            spreadsheets,
        )

        inputs.install()
        sentence_case.install()
        spreadsheets.install()
