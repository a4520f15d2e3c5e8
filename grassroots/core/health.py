"""How the installation is doing: one check per part, for people and for Prometheus.

``grassroots status`` prints :func:`status`, the console's home page shows
administrators what is down, ``/healthz`` answers load balancers (database
only) and ``/metrics`` exports figures (``core/metrics.py``). Every check
answers even when the part it checks is down: that is what it is for.

Long-running processes leave a heartbeat in ``GRASSROOTS_RUN_DIR``: a small
JSON file (pid, time, counters) that :func:`beat` rewrites — the gateway
every few seconds, the worker every minute — so another process reads their
state without talking to them. ``grassroots run`` also writes what its
children are doing (``supervisor.json``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: A heartbeat older than this means the process is down (seconds).
STALE_AFTER_S = {"gateway": 60.0, "worker": 180.0}
DISK_LOW_FRACTION = 0.10


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    value: float | None = None

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'DOWN'} {self.name:<10} {self.detail}"


def run_dir() -> Path:
    return Path(settings.GRASSROOTS_RUN_DIR)


def beat(name: str, **data: Any) -> None:
    """Write this process's heartbeat ``name`` (atomically; never raises)."""
    record = {"pid": os.getpid(), "at": time.time(), **data}
    try:
        directory = run_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-")
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle)
        os.replace(tmp, directory / f"{name}.json")
    except OSError as exc:
        logger.warning("heartbeat %s not written: %s", name, exc)


def read_beat(name: str) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir() / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Checks -------------------------------------------------------------------------------


def check_database() -> Check:
    from django.db import connection

    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; said in one line
        return Check("database", False, _("unreachable: %s") % _first_line(exc))
    took = (time.monotonic() - started) * 1000
    return Check(
        "database", True, f"{connection.vendor}, {took:.0f} ms", value=took / 1000
    )


def check_broker(timeout: float = 1.0) -> Check:
    url = urlparse(settings.GRASSROOTS_MQTT_URL)
    host = url.hostname or "127.0.0.1"
    port = url.port or (8883 if url.scheme in ("mqtts", "ssl") else 1883)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return Check(
            "broker", False, _("%(h)s:%(p)s: %(e)s") % {"h": host, "p": port, "e": exc}
        )
    return Check("broker", True, f"{host}:{port}")


def check_web(timeout: float = 2.0) -> Check:
    host = settings.GRASSROOTS_HTTP_HOST
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a bind address, read here
        host = "127.0.0.1"
    url = f"http://{host}:{settings.GRASSROOTS_HTTP_PORT}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - our own URL
            code = answer.status
    except urllib.error.HTTPError as exc:
        code = exc.code
    except OSError as exc:
        return Check("web", False, f"{url}: {_first_line(exc)}")
    return Check("web", code == 200, f"{url}: HTTP {code}")


def check_beat(name: str) -> Check:
    record = read_beat(name)
    if record is None:
        return Check(name, False, _("no heartbeat yet (not started?)"))
    age = time.time() - float(record.get("at", 0))
    alive = pid_alive(int(record.get("pid", 0)))
    if not alive:
        return Check(
            name, False, _("process %(pid)s is gone") % {"pid": record.get("pid")}
        )
    if age > STALE_AFTER_S.get(name, 120.0):
        return Check(name, False, _("silent for %(s)d s") % {"s": age})
    return Check(
        name, True, _("pid %(pid)s, %(s)d s ago") % {"pid": record["pid"], "s": age}
    )


def check_queue() -> Check:
    from huey.contrib.djhuey import HUEY

    try:
        depth = HUEY.pending_count()
    except Exception as exc:  # noqa: BLE001 - Redis or the SQLite file down: said in one line
        return Check("queue", False, _("unreachable: %s") % _first_line(exc))
    return Check("queue", True, _("%(n)d jobs waiting") % {"n": depth}, value=depth)


def check_disk() -> Check:
    directory = run_dir().parent
    try:
        usage = shutil.disk_usage(directory)
    except OSError as exc:
        return Check("disk", False, str(exc))
    free = usage.free / usage.total if usage.total else 0.0
    return Check(
        "disk",
        free >= DISK_LOW_FRACTION,
        _("%(free).1f GB free of %(total).1f GB (%(pct).0f%%) in %(dir)s")
        % {
            "free": usage.free / 1e9,
            "total": usage.total / 1e9,
            "pct": free * 100,
            "dir": directory,
        },
        value=free,
    )


def devices_online() -> tuple[int, int]:
    from grassroots.loudspeakers.models import Cluster, ClusterState, ClusterStatus

    live = Cluster.objects.filter(state=ClusterState.ACTIVE)
    online = ClusterStatus.objects.filter(online=True, cluster__in=live).count()
    return online, live.count()


def check_devices() -> Check:
    try:
        online, total = devices_online()
    except Exception as exc:  # noqa: BLE001 - the database down: said in one line
        return Check("devices", False, _("unknown: %s") % _first_line(exc))
    return Check(
        "devices",
        True,
        _("%(on)d of %(all)d active clusters online") % {"on": online, "all": total},
        value=online,
    )


def check_supervised() -> list[Check]:
    """What ``grassroots run`` says of its children, when it runs."""
    record = read_beat("supervisor")
    if record is None or not pid_alive(int(record.get("pid", 0))):
        return []
    checks = []
    for name, child in sorted(record.get("children", {}).items()):
        pid = child.get("pid")
        up = child.get("state") == "running" and pid and pid_alive(int(pid))
        detail = (
            _("running, pid %(pid)s, restarted %(n)d times")
            % {"pid": pid, "n": child.get("restarts", 0)}
            if up
            else _("down (%(state)s, exit code %(code)s), restarted %(n)d times")
            % {
                "state": child.get("state"),
                "code": child.get("code"),
                "n": child.get("restarts", 0),
            }
        )
        checks.append(Check(f"run:{name}", bool(up), detail))
    return checks


def fail_fast(seconds: int = 3) -> None:
    """Wait at most ``seconds`` for the database (a command checking health, not serving)."""
    from django.db import connection

    options = connection.settings_dict.setdefault("OPTIONS", {})
    if connection.vendor == "postgresql":
        options["connect_timeout"] = seconds
        if isinstance(options.get("pool"), dict):
            options["pool"] = {**options["pool"], "timeout": seconds, "min_size": 1}


def status(*, web: bool = True) -> list[Check]:
    """Return every check, each of which answers even when its part is down.

    ``web=False`` leaves out asking the web process (it is the one asking).
    """
    database = check_database()
    checks = [
        database,
        check_broker(),
        *([check_web()] if web else []),
        check_beat("worker"),
        check_beat("gateway"),
        check_queue(),
        check_disk(),
        check_devices()
        if database.ok
        else Check("devices", False, _("unknown: the database is down")),
    ]
    checks += check_supervised()
    return checks


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
