"""One hub per web process: tail the push journal, wake the connections concerned.

The hub runs in a thread of its own while at least one player is connected
to this process; it reads the journal every ``POLL_INTERVAL_S`` (one indexed
query, whatever the number of boards) and hands each new row to the
subscribers it concerns. Several web processes each run their own hub
against the same table, so it works with one process or many, on SQLite or
PostgreSQL, with nothing else to set up (ADR i6-01).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from ..models import PushEvent

logger = logging.getLogger(__name__)

#: How often the journal is read; a change reaches a screen within about this.
POLL_INTERVAL_S = 0.5
#: Rows this recent are read at every poll, because on PostgreSQL a row with a
#: lower id may commit after one with a higher id; ids seen are remembered.
WINDOW_S = 30.0

Deliver = Callable[[dict[str, Any]], bool]


@dataclass(eq=False)
class Subscriber:
    """One open connection of one board.

    ``deliver`` queues a message for the connection and returns False when
    it cannot take more (the connection then closes and the player
    reconnects, reading the whole state again).
    """

    board_id: int
    path: str
    deliver: Deliver
    token: str = ""
    since: Any = field(default_factory=lambda: timezone.now() - timedelta(seconds=1))
    closed: bool = False


def message(row: PushEvent) -> dict[str, Any]:
    return {"id": row.pk, "event": row.kind, "data": row.payload}


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self._thread: threading.Thread | None = None
        self._seen: dict[int, float] = {}
        self._last_warning = 0.0
        self.polls = 0

    # Subscribers ------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.add(subscriber)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="boards-push-hub", daemon=True
                )
                self._thread.start()

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscriber.closed = True
        with self._lock:
            self._subscribers.discard(subscriber)

    def idle(self) -> bool:
        """Return True when no connection is open and the hub's thread has stopped."""
        with self._lock:
            return not self._subscribers and (
                self._thread is None or not self._thread.is_alive()
            )

    def count(self, board_id: int) -> int:
        """Return how many connections of ``board_id`` this process holds."""
        with self._lock:
            return sum(1 for s in self._subscribers if s.board_id == board_id)

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._subscribers)

    # The loop ---------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._subscribers:
                        self._thread = None
                        return
                    subscribers = list(self._subscribers)
                try:
                    rows = self._poll()
                except Exception as exc:  # noqa: BLE001 - the hub must outlive any error
                    # The database restarted, or (SQLite) a writer holds a
                    # lock: try again at the next tick. Boards stay connected.
                    self._failed(exc)
                    rows = []
                for row in rows:
                    self._dispatch(row, subscribers)
                # One connection per process for the hub, kept as long as
                # CONN_MAX_AGE says (closed after every poll when it is 0).
                connection.close_if_unusable_or_obsolete()
                time.sleep(POLL_INTERVAL_S)
        finally:
            connection.close()

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning > 60:
            self._last_warning = now
            logger.warning("Board push: reading the journal failed: %s", exc)
        if isinstance(exc, DatabaseError):
            connection.close()

    def _poll(self) -> list[PushEvent]:
        self.polls += 1
        now = time.monotonic()
        since = timezone.now() - timedelta(seconds=WINDOW_S)
        rows = [
            row
            for row in PushEvent.objects.filter(created_at__gte=since).order_by("pk")
            if row.pk not in self._seen
        ]
        for row in rows:
            self._seen[row.pk] = now
        if len(self._seen) > 1000 or rows:
            self._seen = {
                pk: at for pk, at in self._seen.items() if now - at < WINDOW_S * 2
            }
        return rows

    def _dispatch(self, row: PushEvent, subscribers: list[Subscriber]) -> None:
        for subscriber in subscribers:
            if subscriber.closed or row.created_at < subscriber.since:
                continue
            if not row.concerns(subscriber.board_id, subscriber.path):
                continue
            try:
                accepted = subscriber.deliver(message(row))
            except RuntimeError:  # the connection's event loop has closed
                accepted = False
            if not accepted:
                self.unsubscribe(subscriber)


#: The hub of this process.
HUB = Hub()
