"""Where a device keeps what must survive a lost connection or a power cut.

Events wait in an :class:`EventStore` until the server's receipt names them,
so an event played while offline is sent on reconnection, and sent again
until stored. The rest of the device's memory (schedule, volume, emergency
progress) is a small JSON document in a :class:`StateStore`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any


class MemoryEvents:
    """Events kept in memory: the simulator's devices (one process, no disk)."""

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def add(self, event: dict[str, Any]) -> None:
        self._events[event["id"]] = event

    def pending(self, limit: int) -> list[dict[str, Any]]:
        out = []
        for event in self._events.values():
            out.append(event)
            if len(out) >= limit:
                break
        return out

    def remove(self, ids: list[str]) -> None:
        for event_id in ids:
            self._events.pop(event_id, None)

    def __len__(self) -> int:
        return len(self._events)


class SqliteEvents:
    """Events kept in SQLite on the device's storage: they survive a power cut."""

    #: Keep at most this many (a week offline at a few events an hour); the
    #: oldest go first, with a warning, rather than filling the storage.
    MAX_EVENTS = 50_000

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS events ("
            "n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, body TEXT NOT NULL)"
        )
        self._count = self._db.execute("SELECT count(*) FROM events").fetchone()[0]

    def add(self, event: dict[str, Any]) -> None:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO events (id, body) VALUES (?, ?)",
            (event["id"], json.dumps(event, separators=(",", ":"))),
        )
        self._count += cursor.rowcount
        if self._count > self.MAX_EVENTS:
            self._db.execute(
                "DELETE FROM events WHERE n IN (SELECT n FROM events ORDER BY n LIMIT ?)",
                (self._count - self.MAX_EVENTS,),
            )
            self._count = self.MAX_EVENTS

    def pending(self, limit: int) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT body FROM events ORDER BY n LIMIT ?", (limit,)
        ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def remove(self, ids: list[str]) -> None:
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        cursor = self._db.execute(f"DELETE FROM events WHERE id IN ({marks})", ids)  # noqa: S608 - only placeholders
        self._count -= cursor.rowcount

    def __len__(self) -> int:
        return self._count


class MemoryState:
    """The device's memory as a dict (simulator)."""

    __slots__ = ("data",)

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def save(self) -> None:
        """Nothing to do: it lives as long as the process."""


class FileState:
    """The device's memory in a JSON file, replaced atomically on each save."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.data: dict[str, Any] = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            self.data = {}

    def save(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.data, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
