from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "grassroots.portal"
    label = "portal"
    verbose_name = _("public portal")

    def ready(self):
        from grassroots.bulletins import channels

        from .cache import on_bulletin_event

        # The portal is the first channel: it reads published bulletins
        # straight from the database, so all it has to do is forget its cache.
        channels.register("portal", on_bulletin_event)
