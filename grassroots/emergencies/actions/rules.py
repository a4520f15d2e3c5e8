"""Who may broadcast what, where; and the audio that must exist before it airs."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope, second_factor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins.content import body_text
from grassroots.bulletins.models import Bulletin, Level, Status
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.selectors import is_in_service
from grassroots.tts import actions as tts
from grassroots.tts.models import RenderedAudio

from ..models import MAX_REPEAT

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from grassroots.accounts.audit import Actor
    from grassroots.accounts.models import User

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
MAX_GAP_S = 600
Target = Area | Cluster


# Checks ---------------------------------------------------------------------


def _is_user(actor: Actor) -> TypeIs[User]:
    return audit.is_user(actor)


def needs_second_factor(user: Actor) -> bool:
    """Return True if ``user`` must type a fresh code to start, change or cancel."""
    if not _is_user(user):
        return False
    return bool(settings.GRASSROOTS_REQUIRE_2FA) or second_factor.has_device(user)


def _check_second_factor(actor: Actor, otp: str | None) -> None:
    if not _is_user(actor) or not needs_second_factor(actor):
        return
    if not second_factor.has_device(actor):
        raise PermissionDenied(
            _("Set up your second factor (Tài khoản → Xác thực hai bước) first.")
        )
    if not second_factor.is_fresh(actor, otp or ""):
        raise ValidationError(
            {"otp": _("The code from your authenticator app is wrong or too old.")}
        )


def _require(actor: Actor, area: Area | str) -> None:
    """Raise PermissionDenied unless ``actor`` (None: the system) may act on ``area``."""
    if actor is not None and not scope.can(actor, Capability.BROADCAST_EMERGENCY, area):
        raise PermissionDenied(_("This is outside your area or your role."))


def _check_targets(
    actor: Actor, areas: Iterable[Area], clusters: Iterable[Cluster]
) -> tuple[list[Area], list[Cluster]]:
    areas = sorted({a.pk: a for a in areas}.values(), key=lambda a: a.path)
    clusters = sorted({c.pk: c for c in clusters}.values(), key=lambda c: c.code)
    if not areas and not clusters:
        raise ValidationError(
            {"areas": _("Choose at least one area or loudspeaker cluster.")}
        )
    for area in areas:
        if not area.is_active:
            raise ValidationError(
                {"areas": _("%(area)s is no longer in use.") % {"area": area.name}}
            )
        _require(actor, area)
    for cluster in clusters:
        if not is_in_service(cluster):
            raise ValidationError(
                {"clusters": _("%(code)s is retired.") % {"code": cluster.code}}
            )
        _require(actor, cluster.area)
    # An area inside another one listed is already covered by its topic.
    areas = [
        a
        for a in areas
        if not any(a is not b and a.path.startswith(b.path) for b in areas)
    ]
    return areas, clusters


def _check_numbers(repeat: int, gap_s: int) -> None:
    if not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
        raise ValidationError(
            {"repeat": _("Air it between 1 and %(max)d times.") % {"max": MAX_REPEAT}}
        )
    if not isinstance(gap_s, int) or not 0 <= gap_s <= MAX_GAP_S:
        raise ValidationError(
            {
                "gap_s": _("The pause is between 0 and %(max)d seconds.")
                % {"max": MAX_GAP_S}
            }
        )


def _check_bulletin(bulletin: Bulletin | None) -> None:
    if bulletin is None:
        raise ValidationError({"bulletin": _("Choose the emergency bulletin to air.")})
    if bulletin.level != Level.EMERGENCY:
        raise ValidationError(
            {"bulletin": _("Only a bulletin of emergency level can be broadcast so.")}
        )
    if bulletin.status != Status.PUBLISHED:
        raise ValidationError(
            {"bulletin": _("The bulletin must be approved and published first.")}
        )


def overlaps(paths: Iterable[str], others: Iterable[str]) -> bool:
    """Return True if an area of ``paths`` is inside, or holds, one of ``others``."""
    others = list(others)
    return any(a.startswith(b) or b.startswith(a) for a in paths for b in others)


def _common_area(paths: Sequence[str]) -> Area:
    parts = [p.rstrip("/").split("/") for p in paths]
    common: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    area = Area.objects.filter(path="/".join(common) + "/").first() if common else None
    if area is None:
        raise ValidationError(
            {"areas": _("An emergency covers areas of one province only.")}
        )
    return area


# Audio ------------------------------------------------------------------------


def text_of(bulletin: Bulletin) -> str:
    """Return what the loudspeakers read for ``bulletin``: title, summary, body."""
    parts = [bulletin.title.strip(), bulletin.summary.strip(), body_text(bulletin.body)]
    return "\n\n".join(p for p in parts if p)[:MAX_TEXT]


def prepare_audio(text: str, area: Area | None) -> RenderedAudio:
    """Return the rendered audio of ``text``, rendering it now if it is not ready.

    An emergency must air within a second of the decision, so its audio is
    made before the decision is confirmed (the console's first step, or the
    bulletin's approval); if it cannot be made, the reason is given.
    """
    try:
        return tts.render_now(text, area=area)
    except tts.RenderError as exc:
        raise ValidationError(
            {
                "text": _(
                    "The audio could not be made, so the emergency cannot be aired "
                    "on the loudspeakers: %(reason)s"
                )
                % {"reason": exc}
            }
        ) from exc


def _ready(audio: RenderedAudio | None, text: str, area: Area) -> RenderedAudio:
    """Return ``audio`` if it is the ready rendering of ``text``; else render it now."""
    if (
        audio is not None
        and audio.is_ready
        and audio.text == text.replace("\x00", "").strip()
    ):
        return audio
    return prepare_audio(text, area)
