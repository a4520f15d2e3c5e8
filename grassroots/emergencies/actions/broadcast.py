"""Start, update, cancel and expire an emergency (a drill takes the same path)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin
from grassroots.loudspeakers.models import Cluster
from grassroots.tts.models import RenderedAudio

from ..models import Emergency, Source, State
from . import framing
from .publish import _publish, _release_boards, _take_over_boards, _targets_of
from .rules import (
    MAX_TEXT,
    _check_bulletin,
    _check_numbers,
    _check_second_factor,
    _check_targets,
    _common_area,
    _is_user,
    _ready,
    _require,
    overlaps,
    text_of,
)


def _kind(emergency: Emergency) -> str:
    """Return the audit prefix: a drill is never logged as an emergency."""
    return "drill" if emergency.drill else "emergency"


def _paths(areas: Iterable[Area], clusters: Iterable[Cluster]) -> list[str]:
    return [a.path for a in areas] + [c.area.path for c in clusters]


def paths_of(emergency: Emergency) -> list[str]:
    """Return the area paths an emergency's targets lie in."""
    return _paths(
        emergency.target_areas.all(),
        emergency.target_clusters.select_related("area"),
    )


def _active(*, drill: bool) -> list[Emergency]:
    return list(
        Emergency.objects.filter(state=State.ACTIVE, drill=drill).prefetch_related(
            "target_areas", "target_clusters__area"
        )
    )


def _check_no_real_emergency(paths: list[str]) -> None:
    """Refuse a drill where a real emergency is on the air: nobody must mix them up."""
    for real in _active(drill=False):
        if overlaps(paths, paths_of(real)):
            raise ValidationError(
                {
                    "areas": _(
                        "A real emergency is on the air there (%(title)s): a drill "
                        "cannot start until it ends."
                    )
                    % {"title": real.title}
                }
            )


def _preempt_drills(emergency: Emergency) -> None:
    """Stop every drill on the air where the real ``emergency`` now airs.

    The devices already put a real emergency before a drill; stopping the
    drill here also takes its "TEST" screen off the boards and tells its
    report why it ended. The system stops it (the official who broadcast
    the real emergency may not hold the drill's whole area).
    """
    paths = paths_of(emergency)
    for drill in _active(drill=True):
        if overlaps(paths, paths_of(drill)):
            cancel(None, drill, state=State.PREEMPTED, because=emergency)


# Actions ------------------------------------------------------------------------


@transaction.atomic
def start(
    actor: Actor,
    bulletin: Bulletin | None,
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
    drill: bool = False,
    title: str | None = None,
) -> Emergency:
    """Air ``bulletin`` at once on every cluster of ``areas`` and ``clusters``.

    Whatever those clusters play is pre-empted; they repeat it ``repeat``
    times until it ends, is cancelled or expires. ``audio`` is the audio
    prepared in the confirm step; without it the text is rendered here.

    A ``drill`` airs no bulletin: its ``title`` and ``text`` are marked as
    a test (``drills.start_drill`` is the way in), it is refused where a
    real emergency is on the air, and a real emergency stops it.
    """
    _check_second_factor(actor, otp)
    if drill:
        bulletin = None
    else:
        _check_bulletin(bulletin)
    _check_numbers(repeat, gap_s)
    areas, clusters = _check_targets(actor, areas, clusters)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The end must be in the future.")})
    if bulletin is not None and expires_at is None:
        expires_at = bulletin.valid_until
    paths = _paths(areas, clusters)
    area = _common_area(paths)
    if drill:
        _check_no_real_emergency(paths)
        title = framing.marked(title or "")
        text = framing.spoken(text or "", MAX_TEXT)
    else:
        assert bulletin is not None  # noqa: S101 - checked above
        title = bulletin.title
        text = (text or "").strip() or text_of(bulletin)
    emergency = Emergency.objects.create(
        bulletin=bulletin,
        drill=drill,
        source=source,
        area=area,
        title=title[:200],
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
        f"{_kind(emergency)}.start",
        actor,
        emergency,
        area=area,
        data={
            "bulletin": bulletin.pk if bulletin is not None else None,
            "drill": drill,
            "areas": [a.path for a in areas],
            "clusters": [c.code for c in clusters],
            "repeat": repeat,
            "source": source,
            "audio": emergency.audio.mp3_sha256,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        object_repr=emergency.title,
    )
    _publish([emergency], [*areas, *clusters])
    _take_over_boards(emergency, actor)
    if not drill:
        _preempt_drills(emergency)
    return emergency


def _locked(emergency: Emergency) -> Emergency:
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if not emergency.is_active:
        raise ValidationError(_("This emergency is no longer on the air."))
    return emergency


@transaction.atomic
def update(
    actor: Actor,
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
    title = (title or emergency.title).strip()
    if emergency.drill:
        text = framing.spoken(text, MAX_TEXT)
        title = framing.marked(title)
    changes: dict[str, Any] = {}
    new_paths = _paths(new_areas, new_clusters)
    area = _common_area(new_paths)
    if emergency.drill:
        _check_no_real_emergency(new_paths)
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
        ("title", title[:200]),
        ("area", area),
    ):
        if getattr(emergency, field) != value:
            changes[field] = str(value) if field in ("audio", "area") else value
            setattr(emergency, field, value)
    old_paths = sorted(str(t) for t in before)
    emergency.target_areas.set(new_areas)
    emergency.target_clusters.set(new_clusters)
    after: list[Area | Cluster] = [*new_areas, *new_clusters]
    if sorted(str(t) for t in after) != old_paths:
        changes["targets"] = [str(t) for t in after]
    if not changes:
        return emergency
    emergency.rev += 1
    emergency.updated_at = timezone.now()
    emergency.save()
    audit.record(
        f"{_kind(emergency)}.update",
        actor,
        emergency,
        area=emergency.area,
        data={"rev": emergency.rev, "changes": changes},
        object_repr=emergency.title,
    )
    _publish([emergency], [*before, *after])
    _take_over_boards(emergency, actor)
    if not emergency.drill:
        _preempt_drills(emergency)
    return emergency


@transaction.atomic
def cancel(
    actor: Actor,
    emergency: Emergency,
    *,
    otp: str | None = None,
    state: str = State.CANCELLED,
    because: Emergency | None = None,
) -> Emergency:
    """Stop an emergency at once on every cluster and board; others stay on the air.

    ``state`` says why: cancelled by someone, expired, or (a drill only)
    pre-empted by the real emergency ``because``.
    """
    if state == State.CANCELLED:
        _check_second_factor(actor, otp)
    emergency = _locked(emergency)
    if state == State.PREEMPTED and not emergency.drill:
        raise ValueError("only a drill is pre-empted by an emergency")
    targets = _targets_of(emergency)
    for target in targets:
        _require(actor, target.area if isinstance(target, Cluster) else target)
    now = timezone.now()
    emergency.state = state
    emergency.updated_at = now
    if state in (State.CANCELLED, State.PREEMPTED):
        emergency.cancelled_at = now
        emergency.cancelled_by = actor if _is_user(actor) else None
    emergency.save()
    verb = "expire"
    if state == State.CANCELLED:
        verb = "cancel"
    elif state == State.PREEMPTED:
        verb = "preempt"
    data: dict[str, Any] = {"rev": emergency.rev}
    if because is not None:
        data["emergency"] = because.pk
    audit.record(
        f"{_kind(emergency)}.{verb}",
        actor,
        emergency,
        area=emergency.area,
        data=data,
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


def republish_undelivered(older_than_s: float = 0.0) -> int:
    """Publish again the lists the broker did not confirm; return how many emergencies.

    A broker down at the moment of the decision (a restart, the demo's
    loader running before the broker), or the web process killed between
    its commit and its publish, must not leave clusters silent, nor keep a
    cancelled emergency on the air: the lists of every target of an
    emergency whose last change was not confirmed go out again with a new
    rev, whatever its state (a cancelled one's lists no longer name it).
    ``older_than_s`` leaves alone a change still being published by the
    process that made it.
    """
    pending = Emergency.objects.filter(delivered=False)
    if older_than_s:
        pending = pending.filter(
            updated_at__lte=timezone.now() - timedelta(seconds=older_than_s)
        )
    found = list(pending.prefetch_related("target_areas", "target_clusters"))
    for emergency in found:
        with transaction.atomic():
            _publish([emergency], _targets_of(emergency))
    return len(found)


def republish_all_lists() -> int:
    """Publish every emergency topic's list again (a new rev), active or empty.

    After the signing key changes, the lists the broker retains are sealed
    with a key devices no longer trust: a device reconnecting must find the
    current list (and a cancellation) sealed with the new one. Devices do
    not replay an emergency whose item rev is unchanged.
    """
    areas = Area.objects.filter(
        pk__in=Emergency.target_areas.through.objects.values("area_id")
    )
    clusters = Cluster.objects.filter(
        pk__in=Emergency.target_clusters.through.objects.values("cluster_id")
    )
    targets: list[Area | Cluster] = [*areas, *clusters]
    if targets:
        _publish([], targets)
    return len(targets)
