"""When the gateway sends receipts: not while an emergency's acknowledgements pour in.

An emergency reaches a province's ten thousand clusters at once, and their
acknowledgements come back within a second or two. Each stored batch earns a
receipt (sealed, published, delivered by the broker, read by the device):
sent at once, ten thousand receipts compete with the acknowledgements still
on their way for the same broker and the same cores, and the last clusters
are heard later. A receipt is not urgent — a device keeps its events and
sends them again only after 10 s without one — so receipts wait until no
emergency acknowledgement has arrived for ``quiet_s`` (never longer than
``max_hold_s``). Outside emergencies nothing waits.

Plain Python, no Django: ``bench/fanout.py`` paces its receipts the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: Receipts wait until emergency acknowledgements have stopped this long...
QUIET_S = 0.5
#: ... but never longer than this (well under the devices' 10 s resend).
MAX_HOLD_S = 4.0


class ReceiptPacer:
    def __init__(
        self,
        quiet_s: float = QUIET_S,
        max_hold_s: float = MAX_HOLD_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.quiet_s = quiet_s
        self.max_hold_s = max_hold_s
        self.clock = clock
        self.held: list[Any] = []
        self.held_since: float | None = None
        self.last_urgent = -float("inf")

    def urgent(self) -> None:
        """Note that an emergency acknowledgement just arrived."""
        self.last_urgent = self.clock()

    def add(self, receipts: list[Any]) -> None:
        if receipts and self.held_since is None:
            self.held_since = self.clock()
        self.held.extend(receipts)

    def due(self, flush: bool = False) -> list[Any]:
        """Return the receipts to send now (all of them with ``flush``)."""
        if not self.held:
            return []
        now = self.clock()
        quiet = now - self.last_urgent >= self.quiet_s
        if not (flush or quiet or now - (self.held_since or now) >= self.max_hold_s):
            return []
        out, self.held, self.held_since = self.held, [], None
        return out
