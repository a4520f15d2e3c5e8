"""Every change to an emergency broadcast: start, update, cancel, expire.

The flow (docs/emergencies.md): the action checks scope and the second
factor, makes sure the audio exists, writes the emergency, takes its rev
for every topic it touches (an area's or a cluster's retained ``emergency``
topic), and publishes the whole active list of each topic right after the
commit — one publish per topic, never per device. The boards take over or
are released in the same transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope, second_factor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.boards import actions as boards
from grassroots.boards.channel import emergency_id_of
from grassroots.boards.models import Takeover, TakeoverSource
from grassroots.bulletins.content import body_text
from grassroots.bulletins.models import Bulletin, Level, Status
from grassroots.loudspeakers import actions as loudspeakers
from grassroots.loudspeakers import plane
from grassroots.loudspeakers.models import Cluster, ClusterState
from grassroots.tts import actions as tts
from grassroots.tts.models import RenderedAudio
from grassroots_agent import protocol

from .models import MAX_REPEAT, Emergency, Source, State, TopicRevision

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
MAX_GAP_S = 600
Target = Area | Cluster


# Checks ---------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def needs_second_factor(user: Any) -> bool:
    """Return True if ``user`` must type a fresh code to start, change or cancel."""
    if not _is_user(user):
        return False
    return bool(settings.GRASSROOTS_REQUIRE_2FA) or second_factor.has_device(user)


def _check_second_factor(actor: Any, otp: str | None) -> None:
    if not needs_second_factor(actor):
        return
    if not second_factor.has_device(actor):
        raise PermissionDenied(
            _("Set up your second factor (Tài khoản → Xác thực hai bước) first.")
        )
    if not second_factor.is_fresh(actor, otp or ""):
        raise ValidationError(
            {"otp": _("The code from your authenticator app is wrong or too old.")}
        )


def _require(actor: Any, area: Area | str) -> None:
    """Raise PermissionDenied unless ``actor`` (None: the system) may act on ``area``."""
    if actor is not None and not scope.can(actor, Capability.BROADCAST_EMERGENCY, area):
        raise PermissionDenied(_("This is outside your area or your role."))


def _check_targets(
    actor: Any, areas: Iterable[Area], clusters: Iterable[Cluster]
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
        if cluster.state == ClusterState.RETIRED:
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


def _check_bulletin(bulletin: Bulletin) -> None:
    if bulletin.level != Level.EMERGENCY:
        raise ValidationError(
            {"bulletin": _("Only a bulletin of emergency level can be broadcast so.")}
        )
    if bulletin.status != Status.PUBLISHED:
        raise ValidationError(
            {"bulletin": _("The bulletin must be approved and published first.")}
        )


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
    if audio is not None and audio.is_ready:
        return audio
    return prepare_audio(text, area)


# Publication ---------------------------------------------------------------------


def audio_url(audio: RenderedAudio) -> str:
    url = audio.mp3_url
    if url.startswith(("http://", "https://")):
        return url
    return settings.GRASSROOTS_BASE_URL.rstrip("/") + url


def playable(emergency: Emergency) -> dict[str, Any]:
    """Return the emergency as the devices receive it (schemas/emergency.json)."""
    audio = emergency.audio
    item: dict[str, Any] = {
        "id": emergency.item_id,
        "title": emergency.title[:200],
        "priority": "emergency",
        "audio": {
            "url": audio_url(audio),
            "sha256": audio.mp3_sha256,
            "bytes": audio.mp3_bytes or 0,
            "duration_s": round((audio.duration_ms or 0) / 1000, 3),
        },
        "repeat": emergency.repeat,
        "gap_s": emergency.gap_s,
        "rev": emergency.rev,
        "started_at": protocol.now_iso(emergency.started_at.timestamp()),
    }
    if emergency.expires_at is not None:
        item["expires_at"] = protocol.now_iso(emergency.expires_at.timestamp())
    return item


def _targets_of(emergency: Emergency) -> list[Target]:
    return [*emergency.target_areas.all(), *emergency.target_clusters.all()]


def _topic(target: Target) -> str:
    topics = plane.topics()
    if isinstance(target, Cluster):
        return topics.device_emergency(target.code)
    return topics.area_emergency(target.url_path)


def _active_on(target: Target) -> list[dict[str, Any]]:
    active = Emergency.objects.filter(state=State.ACTIVE).select_related("audio")
    if isinstance(target, Cluster):
        active = active.filter(target_clusters=target)
    else:
        active = active.filter(target_areas=target)
    return [playable(e) for e in active.order_by("started_at", "pk")]


def _publish(emergencies: Iterable[Emergency], targets: Iterable[Target]) -> None:
    """Take a new rev for each topic and publish its whole active list after commit."""
    seen: dict[str, Target] = {}
    for target in targets:
        seen.setdefault(_topic(target), target)
    documents: list[tuple[Target, str, int, list[dict[str, Any]]]] = []
    now = timezone.now()
    for topic, target in sorted(seen.items()):
        row, _created = TopicRevision.objects.select_for_update().get_or_create(
            topic=topic
        )
        # At least the time in ms: a restored database never goes back in rev.
        row.rev = max(row.rev + 1, int(time.time() * 1000))
        row.published_at = now
        row.save(update_fields=["rev", "published_at"])
        documents.append((target, topic, row.rev, _active_on(target)))
    ids = [e.pk for e in emergencies]

    def send() -> None:
        confirmed = True
        for target, topic, rev, active in documents:
            latest = TopicRevision.objects.filter(topic=topic).values_list(
                "rev", flat=True
            )
            if (latest.first() or 0) > rev:
                continue  # a newer list of this topic went (or goes) out instead
            if not loudspeakers.publish_emergencies(target, rev, active):
                confirmed = False
                logger.warning("The broker did not confirm %s rev %s", topic, rev)
        Emergency.objects.filter(pk__in=ids).update(delivered=confirmed)

    transaction.on_commit(send)


# Boards -------------------------------------------------------------------------


def _board_paths(emergency: Emergency) -> list[str]:
    paths = {a.path for a in emergency.target_areas.all()}
    paths |= {c.area.path for c in emergency.target_clusters.select_related("area")}
    return sorted(paths)


def _take_over_boards(emergency: Emergency, actor: Any) -> None:
    """Put the emergency on the boards of its areas, never twice.

    The boards' own channel handler takes over for an emergency bulletin on
    the boards, as ``bulletin-<pk>``: an emergency that bulletin started
    (or one started by hand while that takeover is on) drives that same
    takeover instead of adding a second one over it. An emergency bulletin
    its author kept off the boards stays off them.
    """
    bulletin_takeover = emergency_id_of(emergency.bulletin_id)
    if not emergency.takeover_id:
        shared = Takeover.objects.filter(
            emergency_id=bulletin_takeover, released_at__isnull=True
        ).exists()
        if emergency.source == Source.BULLETIN:
            if not emergency.bulletin.on_boards:
                return
            emergency.takeover_id = bulletin_takeover
        elif shared:
            emergency.takeover_id = bulletin_takeover
        else:
            emergency.takeover_id = f"emergency-{emergency.pk}"
        emergency.save(update_fields=["takeover_id"])
    if emergency.takeover_id == bulletin_takeover:
        return  # the boards' channel handler keeps that takeover up to date
    try:
        boards.take_over(
            emergency_id=emergency.takeover_id,
            area_paths=_board_paths(emergency),
            title=emergency.title,
            text=emergency.text,
            level="emergency",
            actor=actor,
            source=TakeoverSource.BROADCAST,
            bulletin=emergency.bulletin,
        )
    except ValidationError as exc:
        # Ended by hand on the boards: it stays ended; the loudspeakers go on.
        logger.info("Emergency %s does not take over the boards: %s", emergency.pk, exc)


def _release_boards(emergency: Emergency, actor: Any) -> None:
    if not emergency.takeover_id:
        return
    try:
        boards.release(emergency_id=emergency.takeover_id, actor=actor)
    except PermissionDenied:
        # A bulletin's takeover reaching beyond the user's area: the
        # loudspeakers stop here; the boards follow the bulletin's withdrawal.
        logger.info(
            "Takeover %s outlives emergency %s", emergency.takeover_id, emergency.pk
        )


# Actions ------------------------------------------------------------------------


@transaction.atomic
def start(
    actor: Any,
    bulletin: Bulletin,
    *,
    areas: Iterable[Area] = (),
    clusters: Iterable[Cluster] = (),
    repeat: int = 3,
    gap_s: int = 5,
    text: str | None = None,
    audio: RenderedAudio | None = None,
    expires_at: datetime | None = None,
    otp: str | None = None,
    source: str = Source.CONSOLE,
) -> Emergency:
    """Air ``bulletin`` at once on every cluster of ``areas`` and ``clusters``.

    Whatever those clusters play is pre-empted; they repeat it ``repeat``
    times until it ends, is cancelled or expires. ``audio`` is the audio
    prepared in the confirm step; without it the text is rendered here.
    """
    _check_second_factor(actor, otp)
    _check_bulletin(bulletin)
    _check_numbers(repeat, gap_s)
    areas, clusters = _check_targets(actor, areas, clusters)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The end must be in the future.")})
    if expires_at is None and bulletin.valid_until is not None:
        expires_at = bulletin.valid_until
    area = _common_area([a.path for a in areas] + [c.area.path for c in clusters])
    text = (text or "").strip() or text_of(bulletin)
    emergency = Emergency.objects.create(
        bulletin=bulletin,
        source=source,
        area=area,
        title=bulletin.title[:200],
        text=text[:MAX_TEXT],
        audio=_ready(audio, text, area),
        repeat=repeat,
        gap_s=gap_s,
        started_by=actor if _is_user(actor) else None,
        started_at=now,
        updated_at=now,
        expires_at=expires_at,
    )
    emergency.target_areas.set(areas)
    emergency.target_clusters.set(clusters)
    audit.record(
        "emergency.start",
        actor,
        emergency,
        area=area,
        data={
            "bulletin": bulletin.pk,
            "areas": [a.path for a in areas],
            "clusters": [c.code for c in clusters],
            "repeat": repeat,
            "source": source,
            "audio": emergency.audio.mp3_sha256,
        },
        object_repr=emergency.title,
    )
    _publish([emergency], [*areas, *clusters])
    _take_over_boards(emergency, actor)
    return emergency


def _locked(emergency: Emergency) -> Emergency:
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if not emergency.is_active:
        raise ValidationError(_("This emergency is no longer on the air."))
    return emergency


@transaction.atomic
def update(
    actor: Any,
    emergency: Emergency,
    *,
    text: str | None = None,
    audio: RenderedAudio | None = None,
    repeat: int | None = None,
    gap_s: int | None = None,
    areas: Iterable[Area] | None = None,
    clusters: Iterable[Cluster] | None = None,
    title: str | None = None,
    otp: str | None = None,
) -> Emergency:
    """Change what an emergency says, how often, or where: a new rev, aired at once.

    Devices stop the old words and play the new ones from the start.
    """
    _check_second_factor(actor, otp)
    emergency = _locked(emergency)
    before = _targets_of(emergency)
    for target in before:
        _require(actor, target.area if isinstance(target, Cluster) else target)
    new_areas, new_clusters = (
        _check_targets(
            actor,
            emergency.target_areas.all() if areas is None else areas,
            emergency.target_clusters.all() if clusters is None else clusters,
        )
        if areas is not None or clusters is not None
        else (list(emergency.target_areas.all()), list(emergency.target_clusters.all()))
    )
    repeat = emergency.repeat if repeat is None else repeat
    gap_s = emergency.gap_s if gap_s is None else gap_s
    _check_numbers(repeat, gap_s)
    text = emergency.text if text is None else (text.strip() or emergency.text)
    changes: dict[str, Any] = {}
    area = _common_area(
        [a.path for a in new_areas] + [c.area.path for c in new_clusters]
    )
    new_audio = _ready(
        audio
        if audio is not None
        else (None if text != emergency.text else emergency.audio),
        text,
        area,
    )
    for field, value in (
        ("text", text[:MAX_TEXT]),
        ("audio", new_audio),
        ("repeat", repeat),
        ("gap_s", gap_s),
        ("title", (title or emergency.title).strip()[:200]),
        ("area", area),
    ):
        if getattr(emergency, field) != value:
            changes[field] = str(value) if field in ("audio", "area") else value
            setattr(emergency, field, value)
    old_paths = sorted(str(t) for t in before)
    emergency.target_areas.set(new_areas)
    emergency.target_clusters.set(new_clusters)
    after = [*new_areas, *new_clusters]
    if sorted(str(t) for t in after) != old_paths:
        changes["targets"] = [str(t) for t in after]
    if not changes:
        return emergency
    emergency.rev += 1
    emergency.updated_at = timezone.now()
    emergency.save()
    audit.record(
        "emergency.update",
        actor,
        emergency,
        area=emergency.area,
        data={"rev": emergency.rev, "changes": changes},
        object_repr=emergency.title,
    )
    _publish([emergency], [*before, *after])
    _take_over_boards(emergency, actor)
    return emergency


@transaction.atomic
def cancel(
    actor: Any,
    emergency: Emergency,
    *,
    otp: str | None = None,
    state: str = State.CANCELLED,
) -> Emergency:
    """Stop an emergency at once on every cluster and board; others stay on the air."""
    if state == State.CANCELLED:
        _check_second_factor(actor, otp)
    emergency = _locked(emergency)
    targets = _targets_of(emergency)
    for target in targets:
        _require(actor, target.area if isinstance(target, Cluster) else target)
    now = timezone.now()
    emergency.state = state
    emergency.updated_at = now
    if state == State.CANCELLED:
        emergency.cancelled_at = now
        emergency.cancelled_by = actor if _is_user(actor) else None
    emergency.save()
    audit.record(
        "emergency.cancel" if state == State.CANCELLED else "emergency.expire",
        actor,
        emergency,
        area=emergency.area,
        data={"rev": emergency.rev},
        object_repr=emergency.title,
    )
    _publish([emergency], targets)
    _release_boards(emergency, actor)
    return emergency


def expire_due(now: datetime | None = None) -> int:
    """End every emergency whose end time has come (a periodic job); return how many."""
    now = now or timezone.now()
    due = Emergency.objects.filter(state=State.ACTIVE, expires_at__lte=now)
    count = 0
    with audit.acting_as(audit.Origin(source=audit.Source.WORKER)):
        for emergency in due:
            try:
                cancel(None, emergency, state=State.EXPIRED)
            except ValidationError:
                continue  # ended meanwhile by someone else
            count += 1
    return count
