from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "grassroots.citizen"
    label = "citizen"
    verbose_name = _("citizen app")

    def ready(self):
        from grassroots.bulletins import channels

        from .push import on_bulletin_event

        # Pushes follow the portal: whatever citizens can read there, phones
        # that asked for it are told about (emergencies and priority only).
        channels.register("portal", on_bulletin_event)
