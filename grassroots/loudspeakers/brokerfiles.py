"""Mosquitto's configuration, password and ACL files, written from the registry.

One directory (``GRASSROOTS_BROKER_FILES_DIR``, in the data dir by default)
holds everything the broker reads: ``mosquitto.conf`` and, per listener, a
password file and an ACL file, plus the broker's pid file and its persistence
(retained messages, sessions). ``grassroots broker`` writes them and runs
Mosquitto on them; the worker rewrites them after every change of
credentials, area or state (atomically, only when their content changed),
makes the broker reread them and checks that it did.

Two kinds of listener (``per_listener_settings``):

- **devices** (``GRASSROOTS_MQTT_PORT``, and ``GRASSROOTS_MQTT_TLS_PORT``
  with a certificate): cluster accounts only, and the client id is always
  the user name (``use_username_as_clientid``), so a device's credentials can
  never act under, or knock off, another device's id;
- **services** (``GRASSROOTS_MQTT_SERVICE_PORT``, loopback only): the web,
  gateway and probe accounts, whose processes each need their own client id.

A device's credentials are refused on the service listener and the
installation's on the device listener: each file holds only its own accounts.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import shlex
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from grassroots_agent import protocol
from grassroots_agent.mqtt import Connection, MqttError

from . import acl, credentials
from .models import BrokerSync, Cluster
from .models.registry import check_code
from .plane import topics
from .selectors import in_service

logger = logging.getLogger(__name__)

PASSWD = "passwd"  # noqa: S105 - a file name
ACL = "acl"
SERVICE_PASSWD = "services.passwd"  # noqa: S105 - a file name
SERVICE_ACL = "services.acl"
CONF = "mosquitto.conf"
PID = "mosquitto.pid"
#: Every packet from any client: the largest server → device message plus room
#: for its topic and header. Mosquitto 2.0 has one limit for all listeners; the
#: 64 KiB of device → server messages is enforced by the gateway.
MAX_PACKET_BYTES = protocol.MAX_MESSAGE_BYTES + 1024
#: How long the broker has to accept the new probe password after a reload.
CONFIRM_S = 3.0
MISSING_MOSQUITTO = (
    "Mosquitto is not installed: the loudspeakers' broker cannot start. "
    "Install it with: sudo apt-get install -y mosquitto "
    "(or run scripts/system-packages.sh)."
)


@dataclass(frozen=True)
class Files:
    directory: Path
    passwd: Path
    acl: Path
    conf: Path
    #: Digest of the accounts and rules: the probe's password follows it.
    generation: str
    changed: bool


def mosquitto_binary() -> str | None:
    """Return Debian's mosquitto (in /usr/sbin, often not on a user's PATH), or None."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    return found if os.access(found, os.X_OK) else None


def local_device_address() -> tuple[str, int]:
    """Return where simulated devices on this machine connect (plain MQTT).

    The private broker's plain device listener (on loopback even when devices
    from the network must use TLS), else the devices' broker address.
    """
    if settings.GRASSROOTS_PRIVATE_BROKER:
        return "127.0.0.1", settings.GRASSROOTS_MQTT_PORT
    url = urlparse(settings.GRASSROOTS_DEVICE_BROKER_URL)
    return url.hostname or "127.0.0.1", url.port or 1883


def _valid_code(code: str) -> bool:
    try:
        check_code(code)
    except ValidationError:
        return False
    return True


def device_accounts() -> Iterator[tuple[str, str, list[acl.Rule]]]:
    """Yield (user name, password hash, rules) of every cluster the broker accepts.

    A code that is reserved or malformed (possible only in rows older than the
    rules; ``grassroots check --database default`` lists them) is left out: it
    could shadow a service account or match other devices' topics.
    """
    t = topics()
    clusters = (
        in_service(Cluster.objects.exclude(secret_hash=""))
        .values_list("code", "secret_hash", "area__path")
        .order_by("code")
    )
    for code, secret_hash, path in clusters.iterator(chunk_size=2000):
        if not _valid_code(code):
            logger.error(
                "cluster code %r is reserved or malformed: not given to the broker",
                code,
            )
            continue
        yield code, secret_hash, acl.device_rules(t, code, path)


def render() -> tuple[dict[str, str], str]:
    """Return the text of each password and ACL file by file name, and their generation."""
    devices = list(device_accounts())
    header = (
        "Written by grassroots from the loudspeaker registry; do not edit.\n"
        f"{len(devices)} devices, topic root {topics().root!r}."
    )
    services = acl.service_rules(topics())
    texts = {
        PASSWD: "".join(f"{name}:{hashed}\n" for name, hashed, _r in devices),
        ACL: acl.render(((name, rules) for name, _h, rules in devices), header),
        SERVICE_PASSWD: "".join(
            f"{name}:{credentials.service_hash(name)}\n" for name in services
        ),
    }
    generation = hashlib.sha256(
        "\0".join(texts[k] for k in sorted(texts)).encode()
    ).hexdigest()
    texts[SERVICE_PASSWD] += (
        f"{credentials.PROBE}:{credentials.probe_hash(generation)}\n"
    )
    # The probe may only log in: no topic at all.
    texts[SERVICE_ACL] = acl.render(
        [*services.items(), (credentials.PROBE, [])],
        "Written by grassroots: the installation's own processes; do not edit.",
    )
    return texts, generation


def _run_as() -> str:
    """Return the user Mosquitto keeps (it drops root for this one, never for 'mosquitto')."""
    return pwd.getpwuid(os.geteuid()).pw_name


def _log_types() -> list[str]:
    level = logging.getLevelName(str(settings.CONFIG.log_level).upper())
    level = level if isinstance(level, int) else logging.INFO
    types = ["error", "warning"]
    if level <= logging.INFO:
        types.append("notice")
    if level <= logging.DEBUG:
        types.append("information")
    return types


def _device_listener(port: int, bind: str, directory: Path) -> list[str]:
    return [
        f"listener {port} {bind}",
        "use_username_as_clientid true",
        "allow_anonymous false",
        f"password_file {directory / PASSWD}",
        f"acl_file {directory / ACL}",
    ]


def mosquitto_conf(directory: Path) -> str:
    """Return Mosquitto's whole configuration for the files in ``directory``.

    From the settings: ports, the devices' bind address, TLS. With a
    certificate, devices from the network must use TLS: the plain device
    listener then stays on loopback (the simulator, local tests).
    """
    tls = settings.GRASSROOTS_MQTT_TLS_CERT and settings.GRASSROOTS_MQTT_TLS_KEY
    bind = settings.GRASSROOTS_MQTT_BIND
    debug = "information" in _log_types()
    lines = [
        "# Written by grassroots (grassroots broker); do not edit: it is rewritten.",
        "# docs/loudspeakers.md explains each choice.",
        "per_listener_settings true",
        f"user {_run_as()}",
        f"pid_file {directory / PID}",
        "persistence true",
        f"persistence_location {directory}/",
        "autosave_interval 30",
        f"max_packet_size {MAX_PACKET_BYTES}",
        "max_keepalive 300",
        "max_queued_messages 100000",
        "set_tcp_nodelay true",
        "log_dest stderr",
        *(f"log_type {kind}" for kind in _log_types()),
        f"connection_messages {'true' if debug else 'false'}",
        "log_timestamp_format %Y-%m-%dT%H:%M:%S",
        "",
        "# Devices: user name = client id = the cluster's code.",
        *_device_listener(
            settings.GRASSROOTS_MQTT_PORT, "127.0.0.1" if tls else bind, directory
        ),
    ]
    if tls:
        lines += [
            "",
            "# Devices over TLS.",
            *_device_listener(settings.GRASSROOTS_MQTT_TLS_PORT, bind, directory),
            f"certfile {settings.GRASSROOTS_MQTT_TLS_CERT}",
            f"keyfile {settings.GRASSROOTS_MQTT_TLS_KEY}",
            "tls_version tlsv1.2",
        ]
    lines += [
        "",
        "# The installation's processes (web, gateway): several client ids each.",
        f"listener {settings.GRASSROOTS_MQTT_SERVICE_PORT} 127.0.0.1",
        "allow_anonymous false",
        f"password_file {directory / SERVICE_PASSWD}",
        f"acl_file {directory / SERVICE_ACL}",
        "",
    ]
    return "\n".join(lines)


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    # Secrets' hashes: the broker (same user, or its group) reads them, nobody else.
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)
    return True


def directory() -> Path:
    return Path(settings.GRASSROOTS_BROKER_FILES_DIR)


def write(where: Path | None = None) -> Files:
    """Write every file into ``where`` (default GRASSROOTS_BROKER_FILES_DIR)."""
    where = Path(where or directory())
    where.mkdir(parents=True, exist_ok=True, mode=0o750)
    texts, generation = render()
    changed = False
    for name, text in texts.items():
        changed = _write_if_changed(where / name, text) or changed
    changed = _write_if_changed(where / CONF, mosquitto_conf(where)) or changed
    return Files(where, where / PASSWD, where / ACL, where / CONF, generation, changed)


# Reloading ---------------------------------------------------------------------------


def _broker_pid(where: Path) -> int | None:
    """Return the pid of the Mosquitto that runs on ``where``, if one does."""
    try:
        pid = int((where / PID).read_text().strip())
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    # A pid file left by a broker that died may name another program by now.
    return pid if comm == "mosquitto" else None


def _signal_or_command(where: Path) -> tuple[bool, str]:
    """Ask the broker to reread its files; return (asked, problem)."""
    command = settings.GRASSROOTS_BROKER_RELOAD_COMMAND
    if command:
        try:
            result = subprocess.run(  # noqa: S603 - the administrator's own configured command
                shlex.split(command),
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return True, f"{command}: {exc}"
        if result.returncode:
            detail = (result.stderr or result.stdout).strip()[:300]
            return True, f"{command} (exit {result.returncode}): {detail}"
        return True, ""
    pid = _broker_pid(where)
    if pid is None:
        # Not running: it reads these files when it starts.
        return False, ""
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as exc:
        return True, f"cannot signal the broker (pid {pid}): {exc}"
    return True, ""


async def _probe_once(url, password: str) -> None:
    tls = ssl.create_default_context() if url.scheme in ("mqtts", "ssl") else None
    connection = await Connection.open(
        url.hostname or "127.0.0.1",
        url.port or (8883 if tls else 1883),
        client_id=f"{credentials.PROBE}-{os.getpid()}",
        username=credentials.PROBE,
        password=password,
        keepalive=10,
        on_message=lambda *args: None,
        timeout=2,
        tls=tls,
    )
    connection.disconnect()


def confirm(generation: str, within_s: float = CONFIRM_S) -> str:
    """Return "" once the broker accepts this generation's probe, else the problem."""
    url = urlparse(settings.GRASSROOTS_MQTT_URL)
    password = credentials.probe_password(generation)
    deadline = time.monotonic() + within_s
    problem = ""
    while True:
        try:
            asyncio.run(_probe_once(url, password))
            return ""
        except (MqttError, OSError, TimeoutError) as exc:
            problem = str(exc) or type(exc).__name__
        if time.monotonic() >= deadline:
            return (
                f"the broker did not take the new files within {within_s:.0f} s "
                f"({problem})"
            )
        time.sleep(0.1)


@contextlib.contextmanager
def _locked(where: Path) -> Iterator[None]:
    """One refresh at a time (worker threads, several workers on one machine)."""
    where.mkdir(parents=True, exist_ok=True, mode=0o750)
    with open(where / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh(*, force: bool = False) -> Files:
    """Rewrite the files; if they changed (or ``force``), reload the broker and confirm.

    The outcome is kept in :class:`BrokerSync`: a failure shows on the console
    to administrators and is retried every minute (``retry_broker_refresh``).
    """
    where = directory()
    with _locked(where):
        files = write(where)
        sync = BrokerSync.current()
        if not (files.changed or force or sync.failing_since):
            return files
        asked, problem = _signal_or_command(where)
        if asked and not problem:
            problem = confirm(files.generation)
        now = timezone.now()
        sync.checked_at = now
        sync.generation = files.generation
        if problem:
            logger.error("the broker did not apply the new credentials: %s", problem)
            sync.failing_since = sync.failing_since or now
            sync.problem = problem[:1000]
        else:
            if asked:
                logger.info("broker reloaded and confirmed (%s)", files.generation[:12])
            sync.applied_at = now
            sync.failing_since = None
            sync.problem = ""
        sync.save()
    return files
