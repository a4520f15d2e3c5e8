from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisseminationConfig(AppConfig):
    """Proof of play and the coverage of bulletins (issue 5).

    The coverage tables are internal summaries kept by the gateway's writes;
    no role edits them, so there are no model permissions to hand out: who
    sees a report is decided by the scope rule alone.
    """

    name = "grassroots.dissemination"
    label = "dissemination"
    verbose_name = _("dissemination")
    default_auto_field = "django.db.models.BigAutoField"

    audit_actions = {
        "coverage.rebuild": _("rebuilt the coverage of bulletins from play events"),
    }

    def ready(self):
        from grassroots.loudspeakers.signals import play_events_arriving

        from .coverage import on_play_events

        play_events_arriving.connect(on_play_events, dispatch_uid="dissemination")
