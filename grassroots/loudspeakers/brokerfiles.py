"""The broker's password and ACL files, written from the registry.

Mosquitto reads them (``password_file``, ``acl_file``) and reloads on SIGHUP;
the embedded broker reads the same files and notices changes by itself. They
are rewritten after every change of credentials, area or state (atomically,
and only when their content changed), then the reload command runs.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import acl, credentials
from .models import Cluster, ClusterState
from .plane import topics

logger = logging.getLogger(__name__)

PASSWD = "passwd"  # noqa: S105 - a file name
ACL = "acl"
CONF = "grassroots.conf"


@dataclass(frozen=True)
class Files:
    directory: Path
    passwd: Path
    acl: Path
    changed: bool


def accounts() -> Iterator[tuple[str, str, list[acl.Rule]]]:
    """Yield (user name, password hash, rules) for every account the broker accepts."""
    t = topics()
    for name, rules in acl.service_rules(t).items():
        yield name, credentials.service_hash(name), rules
    clusters = (
        Cluster.objects.exclude(secret_hash="")
        .exclude(state=ClusterState.RETIRED)
        .values_list("code", "secret_hash", "area__path")
        .order_by("code")
    )
    for code, secret_hash, path in clusters.iterator(chunk_size=2000):
        yield code, secret_hash, acl.device_rules(t, code, path)


def render() -> tuple[str, str]:
    """Return the text of the password file and of the ACL file."""
    entries = list(accounts())
    header = (
        "Written by grassroots from the loudspeaker registry; do not edit.\n"
        f"{len(entries)} accounts, topic root {topics().root!r}."
    )
    passwd = "".join(f"{name}:{hashed}\n" for name, hashed, _rules in entries)
    return passwd, acl.render(((name, rules) for name, _h, rules in entries), header)


def mosquitto_conf(directory: Path, port: int = 1883) -> str:
    """Return a Mosquitto configuration snippet that uses the written files."""
    return (
        "# Include from mosquitto.conf, or copy into /etc/mosquitto/conf.d/.\n"
        f"listener {port}\n"
        "allow_anonymous false\n"
        f"password_file {directory / PASSWD}\n"
        f"acl_file {directory / ACL}\n"
        "# A whole province publishes through one broker: keep queues for\n"
        "# gateways that restart, and let a device's retained state survive.\n"
        "max_queued_messages 100000\n"
        "persistence true\n"
        "max_keepalive 300\n"
    )


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    # Mosquitto runs as its own user: it must read the files, nobody else.
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)
    return True


def write(directory: Path | None = None) -> Files:
    """Write the files into ``directory`` (default GRASSROOTS_BROKER_FILES_DIR)."""
    directory = Path(directory or settings.GRASSROOTS_BROKER_FILES_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    passwd, acl_text = render()
    changed = _write_if_changed(directory / PASSWD, passwd)
    changed = _write_if_changed(directory / ACL, acl_text) or changed
    return Files(directory, directory / PASSWD, directory / ACL, changed)


def reload() -> None:
    """Run GRASSROOTS_BROKER_RELOAD_COMMAND (e.g. ``systemctl reload mosquitto``)."""
    command = settings.GRASSROOTS_BROKER_RELOAD_COMMAND
    if not command:
        return
    result = subprocess.run(  # noqa: S603 - the administrator's own configured command
        shlex.split(command), capture_output=True, text=True, timeout=30, check=False
    )
    if result.returncode:
        logger.error(
            "broker reload command %r failed (%s): %s",
            command,
            result.returncode,
            result.stderr.strip()[:500],
        )


def refresh() -> Files:
    """Rewrite the files and reload the broker if they changed."""
    files = write()
    if files.changed:
        logger.info("broker files rewritten at %s", timezone.now().isoformat())
        reload()
    return files
