from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "grassroots.live"
    label = "live"
    verbose_name = _("live broadcasts")
    default_auto_field = "django.db.models.BigAutoField"

    audit_actions = {
        "live.setup": _("set up a live broadcast"),
        "live.start": _("went on the air live"),
        "live.end": _("a live broadcast ended"),
        "live.recorded": _("a live broadcast's recording was kept"),
    }
