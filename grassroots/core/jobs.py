"""Background jobs that coalesce: one runs, the others leave their work to it.

A burst of changes queues many jobs of one kind; the first takes a lock and
does the whole burst, and the rest find the lock taken. That is the design
working, not a problem: huey's own ``lock_task`` logs a warning for each of
them, which buried ``make run``'s banner under hundreds of lines. Here the
others return quietly (a debug line says so).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

logger = logging.getLogger(__name__)


@contextmanager
def only_one(name: str) -> Iterator[bool]:
    """Hold the job lock ``name`` for the block: yield True, or False if another job holds it.

    A job that gets False must leave the work to the holder; the holder looks
    for work that arrived while it held the lock once it has let it go (see
    ``broadcasts.tasks.compile_pending``).
    """
    lock = HUEY.lock_task(name)
    try:
        lock.acquire()
    except TaskLockedException:
        logger.debug(
            "job lock %s is held: this run leaves its work to the holder", name
        )
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
