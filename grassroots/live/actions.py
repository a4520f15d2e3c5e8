"""Every change to a live broadcast: set up, microphone, on the air, end, recording.

The flow (docs/live.md): the operator sets the session up (areas, level;
an emergency under the emergency rules, with a fresh second-factor code),
then opens the microphone with a one-time token; when the sound reaches
the stream server the session goes on the air and every cluster of the
areas is told to play the stream (one signed ``play_now`` per area, the
item carrying the stream's address and the session's listener token). The
end — by the speaker, a silent microphone, a lost connection — tells the
clusters to stop, closes the recording and keeps it with the session.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.models import User
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin
from grassroots.bulletins.models import Status as BulletinStatus
from grassroots.emergencies.actions.rules import _check_second_factor
from grassroots.loudspeakers.actions import send_command
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.playables import ServerPlayable
from grassroots.loudspeakers.selectors import in_service

from . import icecast
from .models import EndReason, Level, LiveListener, LiveSession, State

if TYPE_CHECKING:
    from typing_extensions import TypeIs

logger = logging.getLogger(__name__)

#: The one-time microphone token works this long after it was given.
SOURCE_TOKEN_TTL_S = 120
#: A session whose microphone never started is ended after this long.
NEVER_STARTED_S = 600
#: A session on the air that the web process has not heard from for this
#: long lost its web process (a restart): it is ended, devices stopped.
LOST_AFTER_S = 30
#: The longest a live broadcast may last.
MAX_DURATION_S = 4 * 3600
STREAM_FORMAT = "mp3"


def _is_user(actor: Actor) -> TypeIs[User]:
    return audit.is_user(actor)


def _capability(level: str) -> str:
    if level == Level.EMERGENCY:
        return Capability.BROADCAST_EMERGENCY
    return Capability.OPERATE_BROADCASTS


def _check_areas(actor: Actor, areas: Iterable[Area], level: str) -> list[Area]:
    chosen = sorted({a.pk: a for a in areas}.values(), key=lambda a: a.path)
    if not chosen:
        raise ValidationError({"areas": _("Choose at least one area.")})
    for area in chosen:
        if not area.is_active:
            raise ValidationError(
                {"areas": _("%(area)s is no longer in use.") % {"area": area.name}}
            )
        if not scope.can(actor, _capability(level), area) or not scope.can(
            actor, Capability.COMMAND_DEVICES, area
        ):
            raise PermissionDenied(_("This is outside your area or your role."))
    # An area inside another chosen one is already covered by it.
    return [
        a
        for a in chosen
        if not any(a is not b and a.path.startswith(b.path) for b in chosen)
    ]


def _common_area(areas: list[Area]) -> Area:
    parts = [a.path.rstrip("/").split("/") for a in areas]
    common: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    area = Area.objects.filter(path="/".join(common) + "/").first() if common else None
    if area is None:
        raise ValidationError(
            {"areas": _("A live broadcast covers areas of one province only.")}
        )
    return area


def clusters_of(areas: Iterable[Area]):
    """Return the clusters a broadcast on ``areas`` reaches (not retired)."""
    return in_service(
        Cluster.objects.filter(scope.area_q([a.path for a in areas], "area__path"))
    )


def _busy(areas: list[Area]) -> LiveSession | None:
    """Return a session on the air (or about to be) on any of ``areas``, or None."""
    paths = [a.path for a in areas]
    for session in LiveSession.objects.filter(
        state__in=[State.READY, State.ON_AIR]
    ).prefetch_related("target_areas"):
        for target in session.target_areas.all():
            if any(
                p.startswith(target.path) or target.path.startswith(p) for p in paths
            ):
                return session
    return None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Setting up ---------------------------------------------------------------------


@transaction.atomic
def start(
    actor: Actor,
    *,
    areas: Iterable[Area],
    level: str = Level.NORMAL,
    title: str = "",
    bulletin: Bulletin | None = None,
    otp: str | None = None,
) -> LiveSession:
    """Set up a live broadcast on ``areas``; it goes on the air with the microphone.

    An emergency follows the emergency rules: the emergency capability on
    every area and a fresh code from the second factor.
    """
    if not _is_user(actor):
        raise PermissionDenied(_("Only a person can speak on the air."))
    if level not in Level.values:
        raise ValidationError({"level": _("Choose normal, priority or emergency.")})
    if level == Level.EMERGENCY:
        _check_second_factor(actor, otp)
    areas = _check_areas(actor, areas, level)
    if bulletin is not None and bulletin.status != BulletinStatus.PUBLISHED:
        raise ValidationError(
            {"bulletin": _("The bulletin must be approved and published first.")}
        )
    reached = clusters_of(areas).count()
    if not reached:
        raise ValidationError(
            {"areas": _("No loudspeaker cluster is installed in these areas.")}
        )
    busy = _busy(areas)
    if busy is not None:
        raise ValidationError(
            {
                "areas": _(
                    "Another live broadcast (%(title)s) is on the air there; "
                    "wait for it to end."
                )
                % {"title": busy.title}
            }
        )
    if icecast.mounts() is None:
        raise ValidationError(
            _("The stream server is not running, so nobody would hear you.")
        )
    now = timezone.now()
    title = (title or "").strip()[:200] or _("Live broadcast %(time)s") % {
        "time": timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
    }
    session = LiveSession.objects.create(
        operator=actor,
        area=_common_area(areas),
        level=level,
        title=title,
        bulletin=bulletin,
        mount=f"/live-{secrets.token_hex(8)}.{STREAM_FORMAT}",
        listener_token=secrets.token_urlsafe(24),
        clusters_reached=reached,
    )
    session.target_areas.set(areas)
    audit.record(
        "live.setup",
        actor,
        session,
        area=session.area,
        data={
            "areas": [a.path for a in areas],
            "level": level,
            "bulletin": bulletin.pk if bulletin else None,
            "clusters": reached,
        },
        object_repr=session.title,
    )
    return session


@transaction.atomic
def open_microphone(actor: Actor, session: LiveSession) -> str:
    """Return a new one-time token that lets the speaker's page open the microphone.

    Only the session's operator gets one, and only before the session is on
    the air: nobody else can ever feed its stream.
    """
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if not _is_user(actor) or session.operator_id != actor.pk:
        raise PermissionDenied(
            _("Only the person who set this broadcast up can speak.")
        )
    if session.state != State.READY:
        raise ValidationError(_("This live broadcast has already started or ended."))
    token = secrets.token_urlsafe(32)
    session.source_token_hash = _hash(token)
    session.source_token_at = timezone.now()
    session.save(update_fields=["source_token_hash", "source_token_at"])
    return token


@transaction.atomic
def claim_microphone(user: Actor, session_id: int, token: str) -> LiveSession:
    """Check the microphone socket's user and token, and use the token up.

    Raises PermissionDenied for anyone but the operator, a wrong, used or
    old token, or a session that is not waiting for its microphone.
    """
    session = LiveSession.objects.select_for_update().filter(pk=session_id).first()
    now = timezone.now()
    if (
        session is None
        or not _is_user(user)
        or session.operator_id != user.pk
        or session.state != State.READY
        or not session.source_token_hash
        or session.source_token_at is None
        or now - session.source_token_at > timedelta(seconds=SOURCE_TOKEN_TTL_S)
        or not hmac.compare_digest(session.source_token_hash, _hash(token or ""))
    ):
        raise PermissionDenied("microphone refused")
    session.source_token_hash = ""
    session.heard_at = now
    session.save(update_fields=["source_token_hash", "heard_at"])
    return session


# On the air --------------------------------------------------------------------


def playable(session: LiveSession) -> dict[str, Any]:
    """Return the session as devices receive it (schemas/common.json, ``live``)."""
    return {
        "id": session.item_id,
        "title": session.title[:200],
        "priority": session.level,
        "live": {
            "url": icecast.listen_url(session.mount),
            "token": session.listener_token,
            "format": STREAM_FORMAT,
        },
    }


@transaction.atomic
def go_on_air(session: LiveSession) -> LiveSession:
    """Put the session on the air: every cluster of its areas plays the stream.

    Called once the stream server has the sound (the mount exists), so a
    device that connects at once finds it.
    """
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.state != State.READY:
        raise ValidationError(_("This live broadcast has already started or ended."))
    now = timezone.now()
    session.state = State.ON_AIR
    session.started_at = now
    session.heard_at = now
    session.save(update_fields=["state", "started_at", "heard_at"])
    item = playable(session)
    # The session was set up under the emergency rules (the capability on
    # every area, the second factor) when its level is emergency.
    server_item = ServerPlayable(item, emergency_checked=session.level == "emergency")
    areas = list(session.target_areas.all())
    for area in areas:
        send_command(session.operator, "play_now", {"item": server_item}, area=area)
    audit.record(
        "live.start",
        session.operator,
        session,
        area=session.area,
        data={
            "areas": [a.path for a in areas],
            "level": session.level,
            "item": item["id"],
            "mount": session.mount,
        },
        object_repr=session.title,
    )
    return session


def heard(session_id: int) -> bool:
    """Note that the microphone still sends sound; return False if no longer on the air.

    The worker's stale-session check reads it; a session ended from the
    console meanwhile tells the microphone socket to stop.
    """
    return bool(
        LiveSession.objects.filter(pk=session_id, state=State.ON_AIR).update(
            heard_at=timezone.now()
        )
    )


@transaction.atomic
def end(actor: Actor, session: LiveSession, reason: str) -> LiveSession:
    """End a session: stop it on every cluster (once), whoever or whatever ends it.

    The speaker ends it with "Kết thúc"; the system (``actor`` None) when
    the microphone falls silent, the connection is lost or the stream
    server stops. Ending an ended session changes nothing.
    """
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.state == State.ENDED:
        return session
    if _is_user(actor) and actor.pk != session.operator_id:
        if not scope.can(actor, _capability(session.level), session.area):
            raise PermissionDenied(_("This is outside your area or your role."))
    if reason not in EndReason.values:
        raise ValueError(f"unknown end reason {reason!r}")
    was_on_air = session.state == State.ON_AIR
    now = timezone.now()
    session.state = State.ENDED
    session.end_reason = reason
    session.ended_at = now
    session.source_token_hash = ""
    session.save(update_fields=["state", "end_reason", "ended_at", "source_token_hash"])
    LiveListener.objects.filter(session=session, left_at__isnull=True).update(
        left_at=now
    )
    if was_on_air:
        for area in session.target_areas.all():
            send_command(None, "stop", {"item": session.item_id}, area=area)
    audit.record(
        "live.end",
        actor if _is_user(actor) else None,
        session,
        area=session.area,
        data={
            "reason": reason,
            "on_air_s": round((now - session.started_at).total_seconds(), 1)
            if session.started_at
            else 0,
            "peak_listeners": session.peak_listeners,
        },
        object_repr=session.title,
    )
    return session


@transaction.atomic
def keep_recording(session: LiveSession, path: Path, duration_s: float) -> LiveSession:
    """Keep the file ffmpeg recorded as the session's archive item."""
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
        handle.seek(0)
        # An unguessable name: the file is served only through a scoped view.
        name = (
            f"{timezone.localdate():%Y/%m}/live-{session.pk}-{secrets.token_hex(8)}.mp3"
        )
        session.recording.save(name, File(handle), save=False)
    session.recording_sha256 = digest.hexdigest()
    session.recording_bytes = path.stat().st_size
    session.duration_s = round(duration_s, 2)
    session.save(
        update_fields=["recording", "recording_sha256", "recording_bytes", "duration_s"]
    )
    audit.record(
        "live.recorded",
        None,
        session,
        area=session.area,
        data={"duration_s": session.duration_s, "bytes": session.recording_bytes},
        object_repr=session.title,
    )
    return session


# What the stream server asks -------------------------------------------------------


def listener_joined(
    mount: str, token: str, device: str, client: str, ip: str | None
) -> bool:
    """Return True if ``token`` opens the stream on ``mount`` now, and count the listener.

    A token opens only its own session's stream, and only while that
    session is on the air: it expires with the session.
    """
    with transaction.atomic():
        session = (
            LiveSession.objects.select_for_update()
            .filter(mount=mount, state=State.ON_AIR)
            .first()
        )
        if session is None or not hmac.compare_digest(
            session.listener_token, token or ""
        ):
            return False
        device = device[:64]
        try:
            ip = str(ipaddress.ip_address(ip or ""))
        except ValueError:
            ip = None
        cluster = (
            Cluster.objects.filter(code=device).only("pk").first() if device else None
        )
        LiveListener.objects.update_or_create(
            session=session,
            client=client[:32],
            defaults={
                "device": device,
                "cluster": cluster,
                "ip_address": ip or None,
                "joined_at": timezone.now(),
                "left_at": None,
            },
        )
        now_listening = listening(session)
        if now_listening > session.peak_listeners:
            session.peak_listeners = now_listening
            session.save(update_fields=["peak_listeners"])
    return True


def listener_left(mount: str, client: str) -> None:
    """Note that a listener's connection ended."""
    LiveListener.objects.filter(
        session__mount=mount, client=client[:32], left_at__isnull=True
    ).update(left_at=timezone.now())


def listening(session: LiveSession) -> int:
    """Return how many clusters (devices) listen to the session now."""
    return (
        LiveListener.objects.filter(session=session, left_at__isnull=True)
        .values("device")
        .distinct()
        .count()
    )


# Housekeeping ------------------------------------------------------------------


def end_stale(now: datetime | None = None) -> int:
    """End sessions nobody feeds any more (a periodic job); return how many.

    A microphone never opened, or a session on the air whose web process
    went away (a restart): devices are told to stop, nothing stays on the air.
    """
    now = now or timezone.now()
    count = 0
    never = LiveSession.objects.filter(
        state=State.READY, created_at__lte=now - timedelta(seconds=NEVER_STARTED_S)
    )
    lost = LiveSession.objects.filter(
        state=State.ON_AIR, heard_at__lte=now - timedelta(seconds=LOST_AFTER_S)
    )
    too_long = LiveSession.objects.filter(
        state=State.ON_AIR, started_at__lte=now - timedelta(seconds=MAX_DURATION_S)
    )
    with audit.acting_as(audit.Origin(source=audit.Source.WORKER)):
        for queryset, reason in (
            (never, EndReason.NEVER_STARTED),
            (lost, EndReason.LOST),
            (too_long, EndReason.TOO_LONG),
        ):
            for session in queryset:
                end(None, session, reason)
                count += 1
    return count
