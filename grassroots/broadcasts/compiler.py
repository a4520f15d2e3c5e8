"""Compile each cluster's next 48 hours from the active programme schedules.

One pass loads every active schedule once, expands its occurrences once and
builds each playable once; clusters then pick the schedules whose targets
cover them (by area path or group) and share those dictionaries. That is what
makes 10,000 clusters a matter of seconds (``bench/schedule.py``).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from grassroots.loudspeakers import playables
from grassroots.loudspeakers.actions import send_schedules
from grassroots.loudspeakers.models import Cluster, Schedule
from grassroots.loudspeakers.selectors import in_service

from . import rules
from .models import RANK, ProgrammeItem, ProgrammeSchedule, Source

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor

logger = logging.getLogger(__name__)

WINDOW = datetime.timedelta(hours=48)
#: The rolling job sends again any cluster whose schedule ends sooner than this.
REFRESH_BEFORE = datetime.timedelta(hours=36)


def absolute(url: str) -> str:
    """Return ``url`` as the devices fetch it: absolute, on the public base URL."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.GRASSROOTS_BASE_URL.rstrip("/") + "/" + url.lstrip("/")


def audio_of(item: ProgrammeItem) -> dict[str, Any] | None:
    """Return the protocol ``audio`` of an item, or None while it is not ready."""
    if item.source == Source.RECORDING:
        if not item.recording or not item.recording_sha256:
            return None
        audio: dict[str, Any] = {
            "url": absolute(item.recording.url),
            "sha256": item.recording_sha256,
        }
        if item.recording_bytes is not None:
            audio["bytes"] = int(item.recording_bytes)
        if item.duration_s:
            audio["duration_s"] = round(float(item.duration_s), 3)
        return audio
    if item.source != Source.BULLETIN:
        return None
    attachment = getattr(item, "_attachment", None)
    if attachment is None and item.bulletin_id and item.audio_id is None:
        attachment = spoken_attachment(item.bulletin)
    if attachment is not None:
        audio = {
            # Private storage: devices fetch it while the bulletin is published.
            "url": absolute(
                reverse("bulletin_airing_file", args=[attachment.pk, attachment.sha256])
            ),
            "sha256": attachment.sha256,
            "bytes": int(attachment.size),
        }
        if attachment.duration_s:
            audio["duration_s"] = round(float(attachment.duration_s), 3)
        return audio
    rendered = item.audio
    if rendered is None or not rendered.is_ready or not rendered.mp3_sha256:
        return None
    audio = {"url": absolute(rendered.mp3_url), "sha256": rendered.mp3_sha256}
    if rendered.mp3_bytes is not None:
        audio["bytes"] = int(rendered.mp3_bytes)
    if rendered.duration_ms is not None:
        audio["duration_s"] = round(rendered.duration_ms / 1000, 3)
    return audio


def spoken_attachment(bulletin) -> Any:
    """Return the bulletin's first audio attachment (a human reading it), if any."""
    from grassroots.bulletins.models import AttachmentKind

    return (
        bulletin.attachments.filter(kind=AttachmentKind.AUDIO)
        .exclude(sha256="")
        .order_by("sort_order", "pk")
        .first()
    )


def item_id(item: ProgrammeItem, origin: str, ref: str | int) -> str:
    """Return the playable id: bulletins' ids name the bulletin, for proof of play."""
    if item.bulletin_id:
        return playables.bulletin_item_id(item.bulletin_id, origin, ref)
    prefix = "relay" if item.source == Source.RELAY else "rec"
    return f"{prefix}:{item.pk}:{ref}"


#: The starts of the playable ids of programme items that air no bulletin.
OWN_ITEM_PREFIXES = ("rec:", "relay:")
_OWN_ITEM = re.compile(r"^(?:rec|relay):([0-9]+):")


def programme_item_of(item_id: str) -> int | None:
    """Return the programme item a playable id of :func:`item_id` airs, if it is one."""
    match = _OWN_ITEM.match(item_id or "")
    return int(match.group(1)) if match else None


def playable(
    item: ProgrammeItem,
    *,
    priority: str,
    item_ref: str,
    repeat: int = 1,
    gap_s: float = 0,
) -> dict[str, Any] | None:
    """Return the protocol playable of ``item``, or None if it cannot air yet."""
    data: dict[str, Any] = {
        "id": item_ref,
        "title": item.title[:200],
        "priority": priority,
    }
    if item.source == Source.RELAY:
        if not item.relay_url or not item.duration_s:
            return None
        data["relay_url"] = item.relay_url
        data["duration_s"] = round(float(item.duration_s), 3)
    else:
        audio = audio_of(item)
        if audio is None:
            return None
        data["audio"] = audio
    if repeat > 1:
        data["repeat"] = int(repeat)
        data["gap_s"] = float(gap_s)
    return data


@dataclass
class Compiled:
    """The schedules that air in the window, ready to hand to clusters."""

    start: datetime.datetime
    end: datetime.datetime
    #: schedule id → its playables with their start times, in time order.
    entries: dict[int, list[tuple[tuple, dict[str, Any]]]] = field(default_factory=dict)
    #: area path → schedule ids targeting it.
    by_path: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: cluster id → schedule ids targeting one of its groups.
    by_cluster: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: schedule ids whose item cannot air yet (audio still rendering).
    waiting: list[int] = field(default_factory=list)

    def items_for(self, cluster: Cluster, path: str) -> list[dict[str, Any]]:
        wanted: set[int] = set(self.by_cluster.get(cluster.pk, ()))
        prefix = ""
        for part in path.rstrip("/").split("/"):
            prefix += part + "/"
            wanted.update(self.by_path.get(prefix, ()))
        rows: list[tuple[tuple, dict[str, Any]]] = []
        for schedule_id in wanted:
            rows.extend(self.entries.get(schedule_id, ()))
        rows.sort(key=lambda row: row[0])
        return [data for _key, data in rows]


def active_schedules(start: datetime.datetime, end: datetime.datetime):
    """Return the schedules that may air between ``start`` and ``end``.

    An item read from a bulletin airs only while that bulletin is on the air
    (published, valid, on the loudspeakers) at ``start``: whatever channel
    events were lost, a withdrawn or expired bulletin is never compiled.
    """
    from grassroots.bulletins.models import Bulletin

    zone = rules.local_zone()
    first_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    return (
        ProgrammeSchedule.objects.filter(
            is_active=True, item__is_active=True, starts_on__lte=last_day
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day))
        .filter(
            Q(item__bulletin__isnull=True)
            | Q(item__bulletin__in=Bulletin.objects.on_air(start).values("pk"))
        )
        .select_related("item", "item__audio", "item__bulletin")
    )


def prepare(
    schedules: Iterable[ProgrammeSchedule] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> Compiled:
    """Expand every active schedule over the window, once."""
    start = now or timezone.now()
    end = start + WINDOW
    if schedules is None:
        schedules = active_schedules(start, end)
    schedules = list(
        schedules.prefetch_related("target_areas", "target_groups__clusters")
        if hasattr(schedules, "prefetch_related")
        else schedules
    )
    compiled = Compiled(start=start, end=end)
    for schedule in schedules:
        item = schedule.item
        tolerance = datetime.timedelta(minutes=schedule.window_minutes)
        when = rules.occurrences(schedule, start - tolerance, end)
        bulletin = item.bulletin if item.bulletin_id else None
        if bulletin is not None and bulletin.valid_until is not None:
            # Nothing of a bulletin airs after its validity ends.
            when = [moment for moment in when if moment < bulletin.valid_until]
        if not when:
            continue
        origin_ref = schedule.pk
        data = playable(
            item,
            priority=schedule.priority,
            item_ref=item_id(item, playables.PROGRAMME, origin_ref),
            repeat=schedule.repeat,
            gap_s=schedule.gap_s,
        )
        if data is None:
            compiled.waiting.append(schedule.pk)
            continue
        if schedule.window_minutes != 10:
            data["late_tolerance_s"] = schedule.window_minutes * 60
        rank = -RANK.get(schedule.priority, 0)
        compiled.entries[schedule.pk] = [
            (
                (moment, rank, schedule.order, schedule.pk),
                {**data, "start": moment.isoformat()},
            )
            for moment in when
        ]
        for area in schedule.target_areas.all():
            compiled.by_path[area.path].append(schedule.pk)
        for group in schedule.target_groups.all():
            for cluster in group.clusters.all():
                compiled.by_cluster[cluster.pk].append(schedule.pk)
    return compiled


def live_clusters(cluster_ids: Iterable[int] | None = None):
    clusters = in_service().select_related("area")
    if cluster_ids is not None:
        clusters = clusters.filter(pk__in=list(cluster_ids))
    return clusters


def compile_for(
    clusters: Iterable[Cluster], *, now: datetime.datetime | None = None
) -> tuple[Compiled, dict[Cluster, list[dict[str, Any]]]]:
    """Return each cluster's items for the next 48 hours (no sending)."""
    compiled = prepare(now=now)
    return compiled, {c: compiled.items_for(c, c.area.path) for c in clusters}


def compile_and_send(
    cluster_ids: Iterable[int] | None = None,
    *,
    now: datetime.datetime | None = None,
    actor: Actor = None,
) -> int:
    """Compile and send the schedules of ``cluster_ids`` (every live cluster if None).

    Returns how many clusters were sent a new version.
    """
    clusters = list(live_clusters(cluster_ids))
    if not clusters:
        return 0
    compiled, schedules = compile_for(clusters, now=now)
    sent = 0
    # One transaction per chunk keeps each commit's publish burst bounded.
    chunk = 2000
    for i in range(0, len(clusters), chunk):
        part = {c: schedules[c] for c in clusters[i : i + chunk]}
        send_schedules(actor, part, valid_from=compiled.start, valid_until=compiled.end)
        sent += len(part)
    return sent


def due_for_refresh(now: datetime.datetime | None = None) -> list[int]:
    """Return live clusters whose schedule ends within 36 hours (or never had one)."""
    now = now or timezone.now()
    ends = dict(
        Schedule.objects.values("cluster")
        .annotate(end=Max("valid_until"))
        .values_list("cluster", "end")
    )
    limit = now + REFRESH_BEFORE
    return [
        pk
        for pk in live_clusters().values_list("pk", flat=True)
        if ends.get(pk) is None or ends[pk] < limit
    ]


def clusters_of(schedule: ProgrammeSchedule) -> set[int]:
    """Return the ids of the live clusters ``schedule`` targets."""
    query = Q(pk__in=[])
    paths = [a.path for a in schedule.target_areas.all()]
    for path in paths:
        query |= Q(area__path__under=path)
    ids = set(live_clusters().filter(query).values_list("pk", flat=True))
    ids.update(
        live_clusters()
        .filter(broadcast_groups__in=schedule.target_groups.all())
        .values_list("pk", flat=True)
    )
    return ids
