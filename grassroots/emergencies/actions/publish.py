"""The lists devices receive (one retained publish per topic) and the boards takeover."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.boards import actions as boards
from grassroots.boards.actions.takeover import DRILL_LEVEL
from grassroots.boards.channel import emergency_id_of
from grassroots.boards.models import Takeover, TakeoverSource
from grassroots.loudspeakers import actions as loudspeakers
from grassroots.loudspeakers import plane
from grassroots.loudspeakers.models import Cluster
from grassroots.tts.models import RenderedAudio
from grassroots_agent import protocol

from ..models import Emergency, Source, State, TopicRevision
from .rules import Target

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor

logger = logging.getLogger(__name__)


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
    if emergency.drill:
        item["drill"] = True
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
    # Unconfirmed until ``send`` hears the broker: a process killed between
    # the commit and the publish leaves the flag down, and the gateway's
    # housekeeping (or the worker's minute job) sends the lists again. A
    # start, an update and a cancellation alike.
    Emergency.objects.filter(pk__in=ids).update(delivered=False)

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


def _take_over_boards(emergency: Emergency, actor: Actor) -> None:
    """Put the emergency on the boards of its areas, never twice.

    The boards' own channel handler takes over for an emergency bulletin on
    the boards, as ``bulletin-<pk>``: an emergency that bulletin started
    (or one started by hand while that takeover is on) drives that same
    takeover instead of adding a second one over it. An emergency bulletin
    its author kept off the boards stays off them. A drill has a takeover
    of its own, at the level ``drill`` (the boards show it as a test).
    """
    if emergency.drill:
        _take_over_for_drill(emergency, actor)
        return
    bulletin = emergency.bulletin
    if bulletin is None:
        return  # only a drill airs no bulletin
    bulletin_takeover = emergency_id_of(bulletin.pk)
    if not emergency.takeover_id:
        shared = Takeover.objects.filter(
            emergency_id=bulletin_takeover, released_at__isnull=True
        ).exists()
        if emergency.source == Source.BULLETIN:
            if not bulletin.on_boards:
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
            bulletin=bulletin,
        )
    except ValidationError as exc:
        # Ended by hand on the boards: it stays ended; the loudspeakers go on.
        logger.info("Emergency %s does not take over the boards: %s", emergency.pk, exc)


def _take_over_for_drill(emergency: Emergency, actor: Actor) -> None:
    if not emergency.takeover_id:
        emergency.takeover_id = f"drill-{emergency.pk}"
        emergency.save(update_fields=["takeover_id"])
    try:
        boards.take_over(
            emergency_id=emergency.takeover_id,
            area_paths=_board_paths(emergency),
            title=emergency.title,
            text=emergency.text,
            level=DRILL_LEVEL,
            actor=actor,
            source=TakeoverSource.BROADCAST,
        )
    except ValidationError as exc:
        logger.info("Drill %s does not take over the boards: %s", emergency.pk, exc)


def _release_boards(emergency: Emergency, actor: Actor) -> None:
    """End the emergency's takeover of the boards, unless another still needs it.

    Several emergencies can drive one takeover: those started by hand while
    their bulletin's own takeover is on join it. The takeover ends with the
    last of them, and only if the bulletin's own emergency was among them: a
    takeover the boards show for the bulletin alone (on the boards, not the
    loudspeakers) ends with the bulletin, not with an emergency that joined
    it. (A test emergency for one commune once ended, this way, the
    province's flood emergency on that commune's boards.)
    """
    if not emergency.takeover_id:
        return
    drivers = Emergency.objects.filter(takeover_id=emergency.takeover_id)
    others = drivers.exclude(pk=emergency.pk).filter(state=State.ACTIVE)
    if others.exists():
        logger.info(
            "Takeover %s stays: emergencies %s still drive it",
            emergency.takeover_id,
            list(others.values_list("pk", flat=True)),
        )
        return
    if (
        emergency.bulletin_id is not None
        and emergency.takeover_id == emergency_id_of(emergency.bulletin_id)
        and not (drivers.filter(source=Source.BULLETIN).exists())
    ):
        return  # the bulletin's own takeover: the boards end it with the bulletin
    try:
        boards.release(emergency_id=emergency.takeover_id, actor=actor)
    except PermissionDenied:
        # A bulletin's takeover reaching beyond the user's area: the
        # loudspeakers stop here; the boards follow the bulletin's withdrawal.
        logger.info(
            "Takeover %s outlives emergency %s", emergency.takeover_id, emergency.pk
        )
