"""What plays when: the schedule, "play now" and emergencies, with pre-emption.

Rules (docs/protocol.md, "Playout"):
- an emergency pre-empts anything; a drill (an emergency item marked
  ``drill``) pre-empts programmes but a real emergency pre-empts it; a
  priority item pre-empts a normal one; equal ranks wait their turn;
- a scheduled item plays at its start time from the local cache, network or
  not; one that cannot start within its late tolerance is reported failed
  ("missed"), never silently dropped;
- a pre-empted item is reported, then plays again after the pre-empting one
  if still within its tolerance;
- repeats follow each other with the item's gap;
- a live broadcast is played as it comes, once, from where the stream is
  when it starts; at the emergency rank it also pre-empts a recorded
  emergency (a voice on the air cannot wait its turn), at the other ranks it
  follows the "play now" rules.
Every start, end, failure and pre-emption becomes a play event.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .protocol import DRILL_RANK, PRIORITY_RANK, now_iso, parse_time
from .stream import is_stream, source_url

if TYPE_CHECKING:
    from .device import Device

logger = logging.getLogger(__name__)

#: A scheduled item may start this late by default (after an outage or a long item).
DEFAULT_LATE_TOLERANCE_S = 600.0
#: "Play now" commands wait at most this long behind higher-ranked playback.
PLAY_NOW_TOLERANCE_S = 300.0
#: How many played (item, start) keys a device remembers, so as not to replay them.
PLAYED_MEMORY = 500


@dataclass(slots=True)
class Job:
    """One occurrence of something to play."""

    item: dict[str, Any]
    source: str
    due: float
    occurrence: int = 1
    tolerance: float = DEFAULT_LATE_TOLERANCE_S
    schedule_version: int | None = None
    scheduled_at: str | None = None
    by: str | None = None
    key: str = ""
    started: float = 0.0
    handle: object = field(default=None, repr=False)

    @property
    def is_drill(self) -> bool:
        """Return True for a test of the warning system, never a real emergency."""
        return self.source == "emergency" and self.item.get("drill") is True

    @property
    def rank(self) -> int:
        if self.is_drill:
            return DRILL_RANK
        return PRIORITY_RANK.get(self.item.get("priority", "normal"), 1)

    @property
    def repeat(self) -> int:
        return 1 if self.is_live else int(self.item.get("repeat", 1))

    @property
    def is_live(self) -> bool:
        return "live" in self.item

    def preempts(self, other: Job) -> bool:
        """Return True if this job cuts ``other`` short when it arrives."""
        if self.rank > other.rank:
            return True
        return (
            self.is_live
            and not other.is_live
            and self.rank == other.rank == PRIORITY_RANK["emergency"]
        )


class Playout:
    __slots__ = (
        "device",
        "current",
        "pending",
        "entries",
        "next_index",
        "timer",
        "emergencies",
        "loading",
        "expiry",
    )

    def __init__(self, device: Device):
        self.device = device
        self.current: Job | None = None
        self.pending: list[Job] = []
        self.entries: list[tuple[float, dict[str, Any]]] = []
        self.next_index = 0
        self.timer: asyncio.TimerHandle | None = None
        #: Active emergencies by id: (rev, item, expires_at or inf).
        self.emergencies: dict[str, tuple[int, dict[str, Any], float]] = {}
        self.loading: dict[str, list[Job]] = {}
        #: Fires when the soonest ``expires_at`` of an active emergency comes.
        self.expiry: asyncio.TimerHandle | None = None

    # The schedule ----------------------------------------------------------------

    def load_schedule(self, schedule: dict[str, Any]) -> None:
        """Take a new schedule; items already due but not played are caught up."""
        entries = []
        for item in schedule.get("items", []):
            try:
                entries.append((parse_time(item["start"]), item))
            except (KeyError, ValueError):
                continue
        entries.sort(key=lambda e: e[0])
        self.entries = entries
        self.next_index = 0
        version = schedule.get("version")
        # Pending occurrences of the old schedule are replaced by the new one.
        self.pending = [j for j in self.pending if j.source != "schedule"]
        self._catch_up(version)
        self._arm()

    def _catch_up(self, version: int | None) -> None:
        now = self.device.clock()
        played = self.device.played
        while self.next_index < len(self.entries):
            start, item = self.entries[self.next_index]
            if start > now:
                break
            self.next_index += 1
            key = f"{item['id']}@{item['start']}"
            if key in played:
                continue
            tolerance = float(item.get("late_tolerance_s", DEFAULT_LATE_TOLERANCE_S))
            job = self._schedule_job(item, start, version)
            if now - start > tolerance:
                self._mark_played(key)
                self._event("failed", job, reason="missed")
            else:
                self.submit(job)

    def _schedule_job(
        self, item: dict[str, Any], start: float, version: int | None
    ) -> Job:
        return Job(
            item=item,
            source="schedule",
            due=start,
            tolerance=float(item.get("late_tolerance_s", DEFAULT_LATE_TOLERANCE_S)),
            schedule_version=version,
            scheduled_at=item["start"],
            key=f"{item['id']}@{item['start']}",
        )

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.next_index >= len(self.entries):
            return
        start = self.entries[self.next_index][0]
        delay = max(0.0, start - self.device.clock())
        self.timer = self.device.loop.call_later(delay, self._tick)

    def _tick(self) -> None:
        self.timer = None
        self._catch_up((self.device.schedule or {}).get("version"))
        self._arm()

    def needed_audio(self) -> list[dict[str, Any]]:
        """Return the audio of every item still to play, soonest first."""
        now = self.device.clock()
        seen: set[str] = set()
        out = []
        for start, item in self.entries:
            audio = item.get("audio")
            tolerance = float(item.get("late_tolerance_s", DEFAULT_LATE_TOLERANCE_S))
            if audio and start + tolerance >= now and audio["sha256"] not in seen:
                seen.add(audio["sha256"])
                out.append(audio)
        for _rev, item, _expires in self.emergencies.values():
            audio = item.get("audio")
            if audio and audio["sha256"] not in seen:
                seen.add(audio["sha256"])
                out.insert(0, audio)
        return out

    # Play now and stop ---------------------------------------------------------------

    def play_now(self, item: dict[str, Any], by: str) -> None:
        self.submit(
            Job(
                item=item,
                source="command",
                due=self.device.clock(),
                tolerance=PLAY_NOW_TOLERANCE_S,
                by=by,
                key=f"cmd:{by}",
            )
        )

    def stop(self, by: str, item_id: str | None = None) -> bool:
        """Stop what plays (not an emergency) and drop waiting "play now" items.

        With ``item_id``, only that item, playing or waiting. Whatever waited
        and is dropped is reported ``failed`` (``stopped``), never lost.
        """
        keep, dropped = [], []
        for job in self.pending:
            if job.source != "emergency" and (
                (job.source == "command" and item_id is None)
                or (item_id is not None and job.item.get("id") == item_id)
            ):
                dropped.append(job)
            else:
                keep.append(job)
        self.pending = keep
        for job in dropped:
            self._finish_key(job)
            self._event("failed", job, reason="stopped", by=by)
        current = self.current
        if current is None or current.source == "emergency":
            return False
        if item_id is not None and current.item.get("id") != item_id:
            return False
        self._interrupt(current, reason="stopped", by=by, requeue=False)
        self._next()
        return True

    def power_changed(self, on: bool) -> None:
        if not on and self.current is not None and self.current.source != "emergency":
            self._interrupt(self.current, reason="power off", requeue=False)
            self._next()

    # Emergencies ------------------------------------------------------------------

    def set_emergencies(
        self, active: dict[str, tuple[int, dict[str, Any], float]]
    ) -> list[tuple[str, int]]:
        """Replace the active emergencies; return the (id, rev) that are new or updated."""
        now = self.device.clock()
        changed: list[tuple[str, int]] = []
        old = self.emergencies
        self.emergencies = {k: v for k, v in active.items() if v[2] > now}
        for emergency_id, (rev, item, _expires) in self.emergencies.items():
            previous = old.get(emergency_id)
            if previous is not None and previous[0] >= rev:
                continue
            changed.append((emergency_id, rev))
            progress = self.device.emergency_progress
            if previous is not None:
                self._drop_emergency(emergency_id, reason="updated")
            done = progress.get(f"{emergency_id}:{rev}", 0)
            if done >= int(item.get("repeat", 1)):
                continue
            self.submit(
                Job(
                    item=item,
                    source="emergency",
                    due=now,
                    occurrence=done + 1,
                    tolerance=math.inf,
                    key=f"{emergency_id}:{rev}",
                )
            )
        for emergency_id in old.keys() - self.emergencies.keys():
            expired = active.get(emergency_id, old[emergency_id])[2] <= now
            self._drop_emergency(
                emergency_id, reason="expired" if expired else "cancelled"
            )
        if not self.emergencies:
            self.device.emergency_progress.clear()
        self._arm_expiry()
        if self.current is None:
            self._next()
        return changed

    def _arm_expiry(self) -> None:
        """Stop each emergency at its ``expires_at``, network or not."""
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        soonest = min((e[2] for e in self.emergencies.values()), default=math.inf)
        if soonest < math.inf:
            delay = max(0.0, soonest - self.device.clock())
            self.expiry = self.device.loop.call_later(delay, self._expire)

    def _expire(self) -> None:
        self.expiry = None
        self.set_emergencies(dict(self.emergencies))
        self.device.state_changed()

    def _drop_emergency(self, emergency_id: str, reason: str) -> None:
        self.pending = [
            j
            for j in self.pending
            if not (j.source == "emergency" and j.item["id"] == emergency_id)
        ]
        current = self.current
        if (
            current is not None
            and current.source == "emergency"
            and current.item["id"] == emergency_id
        ):
            self._interrupt(current, reason=reason, requeue=False)

    # The engine ------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        audio = job.item.get("audio")
        if audio is not None and not self.device.cache.has(audio["sha256"]):
            # Fetch first: what plays now goes on until the new item can start.
            self._wait_for_audio(job, audio)
            return
        current = self.current
        if current is None:
            self._start(job)
        elif job.preempts(current):
            self._interrupt(current, reason="pre-empted", requeue=True)
            self._start(job)
        else:
            self.pending.append(job)

    def _next(self) -> None:
        while self.current is None and self.pending:
            self.pending.sort(key=lambda j: (-j.rank, j.due))
            self._start(self.pending.pop(0))

    def _start(self, job: Job) -> None:
        device = self.device
        now = device.clock()
        if now - job.due > job.tolerance:
            self._finish_key(job)
            self._event("failed", job, reason="missed")
            return
        if job.source == "emergency" and device.power != "on":
            device.set_power(True, reason="emergency")
        elif device.power != "on":
            self._finish_key(job)
            self._event("failed", job, reason="power off")
            return
        audio = job.item.get("audio")
        path = None
        if audio is not None:
            sha = audio["sha256"]
            if not device.cache.has(sha):
                self._wait_for_audio(job, audio)
                return
            path = device.cache.path(sha)
        job.started = now
        self.current = job
        volume = int(job.item.get("volume", device.volume))
        self._event("started", job)

        def done(ok: bool, reason: str) -> None:
            self._done(job, ok, reason)

        if is_stream(job.item):
            job.handle = device.player.play(
                job.item, None, volume, done, stream=source_url(job.item, device.id)
            )
        else:
            job.handle = device.player.play(job.item, path, volume, done)
        device.state_changed()

    def _wait_for_audio(self, job: Job, audio: dict[str, Any]) -> None:
        waiting = self.loading.setdefault(audio["sha256"], [])
        waiting.append(job)
        if len(waiting) == 1:
            self.device.loop.create_task(self._load(audio))

    async def _load(self, audio: dict[str, Any]) -> None:
        sha = audio["sha256"]
        ok = await self.device.fetch_audio(audio)
        for job in self.loading.pop(sha, []):
            if job.source == "emergency" and not self._still_on_air(job):
                continue  # cancelled, updated or ended while its audio came
            if ok:
                self.submit(job)
            else:
                self._finish_key(job)
                self._event("failed", job, reason="audio unavailable")

    def _done(self, job: Job, ok: bool, reason: str) -> None:
        if self.current is not job:
            return
        self.current = None
        if ok:
            self._event("finished", job)
        else:
            self._event("failed", job, reason=reason or "player error")
        self._after(job)
        self.device.state_changed()
        self._next()

    def _after(self, job: Job) -> None:
        """Count the occurrence and queue the next repeat, after the gap."""
        if job.source == "emergency":
            self.device.emergency_progress[job.key] = job.occurrence
            self.device.save_state()
        if job.occurrence < job.repeat:
            repeat = Job(
                item=job.item,
                source=job.source,
                due=self.device.clock() + float(job.item.get("gap_s", 0)),
                occurrence=job.occurrence + 1,
                tolerance=job.tolerance,
                schedule_version=job.schedule_version,
                scheduled_at=job.scheduled_at,
                by=job.by,
                key=job.key,
            )
            self.device.loop.call_later(
                float(job.item.get("gap_s", 0)), self._submit_if_current, repeat
            )
        else:
            self._finish_key(job)

    def _submit_if_current(self, job: Job) -> None:
        if job.source == "emergency" and not self._still_on_air(job):
            return
        self.submit(job)

    def _still_on_air(self, job: Job) -> bool:
        held = self.emergencies.get(job.item["id"])
        return held is not None and held[0] == job.item.get("rev")

    def _interrupt(
        self, job: Job, *, reason: str, requeue: bool, by: str | None = None
    ) -> None:
        self.device.player.stop(job.handle)
        self.current = None
        position = max(0.0, self.device.clock() - job.started)
        self._event(
            "preempted", job, reason=reason, position_s=round(position, 1), by=by
        )
        if requeue:
            job.due = self.device.clock()
            self.pending.append(job)
        elif job.source != "emergency":
            self._finish_key(job)
        self.device.state_changed()

    def _finish_key(self, job: Job) -> None:
        if job.source == "schedule":
            self._mark_played(job.key)

    def _mark_played(self, key: str) -> None:
        played = self.device.played
        played[key] = None
        while len(played) > PLAYED_MEMORY:
            played.pop(next(iter(played)))
        self.device.save_state()

    def _event(self, kind: str, job: Job, **extra: Any) -> None:
        event: dict[str, Any] = {
            "item": job.item["id"],
            "source": job.source,
            "priority": job.item.get("priority", "normal"),
            "occurrence": job.occurrence,
        }
        if job.item.get("title"):
            event["title"] = job.item["title"][:200]
        if job.schedule_version is not None:
            event["schedule_version"] = job.schedule_version
        if job.scheduled_at:
            event["scheduled_at"] = job.scheduled_at
        if job.by and "by" not in extra:
            event["by"] = job.by
        if job.is_drill:
            event["drill"] = True
        event.update({k: v for k, v in extra.items() if v is not None})
        self.device.emit(kind, **event)

    def playing(self) -> dict[str, Any] | None:
        job = self.current
        if job is None:
            return None
        out = {
            "item": job.item["id"],
            "source": job.source,
            "priority": job.item.get("priority", "normal"),
            "since": now_iso(job.started),
            "occurrence": job.occurrence,
        }
        if job.item.get("title"):
            out["title"] = job.item["title"][:200]
        if job.is_drill:
            out["drill"] = True
        return out

    def close(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        if self.timer is not None:
            self.timer.cancel()
        if self.current is not None:
            self.device.player.stop(self.current.handle)
            self.current = None
