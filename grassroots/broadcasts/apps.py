from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_MODELS = ("programmeitem", "programmeschedule", "clustergroup")
_VIEW = [f"broadcasts.view_{m}" for m in _MODELS]
_MANAGE = [
    f"broadcasts.{verb}_{m}"
    for m in _MODELS
    for verb in ("add", "change", "delete", "view")
]


class BroadcastsConfig(AppConfig):
    name = "grassroots.broadcasts"
    label = "broadcasts"
    verbose_name = _("broadcasts")
    # The scope rule says where; these only open the console pages.
    role_permissions = {
        Role.ADMINISTRATOR: _MANAGE,
        Role.OPERATOR: _MANAGE,
        Role.EDITOR: _VIEW,
        Role.APPROVER: _VIEW,
        Role.FEEDBACK_HANDLER: _VIEW,
        Role.VIEWER: _VIEW,
    }
    audit_actions = {
        "broadcasts.item_create": _("programme item created"),
        "broadcasts.item_change": _("programme item changed"),
        "broadcasts.item_delete": _("programme item deleted"),
        "broadcasts.item_off_air": _("programme item taken off the air"),
        "broadcasts.group_save": _("group of clusters saved"),
        "broadcasts.group_delete": _("group of clusters deleted"),
        "broadcasts.schedule_create": _("programme scheduled"),
        "broadcasts.schedule_change": _("programme schedule changed"),
        "broadcasts.schedule_pause": _("programme schedule paused"),
        "broadcasts.schedule_resume": _("programme schedule resumed"),
        "broadcasts.schedule_delete": _("programme schedule deleted"),
        "broadcasts.bulletin_queued": _("bulletin queued for airing"),
        "broadcasts.play_now": _("played now"),
    }

    def ready(self) -> None:
        from grassroots.tts.signals import audio_rendered

        from . import channel

        channel.register()
        audio_rendered.connect(_on_audio_rendered, dispatch_uid="broadcasts-audio")


def _on_audio_rendered(sender, audio, **kwargs) -> None:
    from . import actions

    if audio.is_ready:
        actions.audio_ready(audio)
