"""The worker's heartbeat and its count of failed jobs (read by ``grassroots status`` and /metrics)."""

from __future__ import annotations

import threading
from collections import Counter

from huey import crontab, signals
from huey.contrib.djhuey import HUEY, db_periodic_task

from . import health

_failures: Counter[str] = Counter()
_lock = threading.Lock()


@HUEY.signal(signals.SIGNAL_ERROR)
def count_failure(signal, task, exc=None) -> None:
    with _lock:
        _failures[task.name] += 1
    _beat()


def _beat() -> None:
    with _lock:
        failures = dict(_failures)
    health.beat("worker", job_failures=failures)


@HUEY.on_startup()
def worker_started() -> None:
    _beat()


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Tell ``grassroots status`` the worker is alive (every minute)."""
    _beat()
