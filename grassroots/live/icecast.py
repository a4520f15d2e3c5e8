"""Our Icecast: its configuration and passwords, written into the data directory.

``grassroots icecast`` writes ``icecast.xml`` from the settings and runs
Debian's ``icecast2`` on it (``grassroots run`` starts it like the broker;
in production it is a systemd unit). Nothing of Debian's own configuration
or service is used.

Passwords (source, admin, relay, and the one Icecast shows the web process
when it asks about a listener) are random, made on first use and kept in
``secrets.json`` (mode 0600) beside the configuration. The source password
never leaves the server: only the web process's ffmpeg sources streams.

Every mount point asks the web process whether a listener may listen
(``<authentication type="url">``, ``listener_add``): the device's token
must be the one of the session on that mount while it is on the air
(``views.stream_hook``). Listeners start at the live edge (no burst on
connect): a device that joins hears what is said now, not seconds ago.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import secrets
import shutil
import tempfile
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

MISSING_ICECAST = (
    "Icecast is not installed: live broadcasts need it. Install it with "
    "`sudo apt-get install icecast2` (scripts/system-packages.sh does), "
    "then start again."
)
#: Debian's package creates this account; Icecast refuses to run as root.
ICECAST_USER = "icecast2"
SECRETS = ("source", "admin", "relay", "hook")
HOOK_PATH = "/live/stream-hook/"
#: Seconds without data before Icecast drops a source (a stuck ffmpeg).
SOURCE_TIMEOUT_S = 5


@dataclass(frozen=True)
class Files:
    conf: Path
    secrets: Path


def binary() -> str | None:
    """Return the path of Debian's icecast2, or None."""
    found = shutil.which("icecast2") or "/usr/bin/icecast2"
    return found if os.path.exists(found) else None


def _directory() -> Path:
    return Path(settings.GRASSROOTS_STREAM_DIR)


def _write_private(
    path: Path, text: str, mode: int = 0o600, *, exclusive: bool = False
) -> bool:
    """Write atomically with ``mode`` from the start (never readable by others).

    With ``exclusive``, write only if the file does not exist yet, and
    return False if another process made it first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w") as out:
            out.write(text)
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
        else:
            os.replace(tmp, path)
        return True
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read_secrets(path: Path) -> dict[str, str]:
    try:
        held = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return held if isinstance(held, dict) else {}


def passwords() -> dict[str, str]:
    """Return the stream server's passwords, making them on first use.

    The web process and ``grassroots icecast`` may both get here first on a
    new machine: the file is created once (exclusively), and whoever lost
    the race reads the winner's.
    """
    path = _directory() / "secrets.json"
    held = _read_secrets(path)
    if all(isinstance(held.get(name), str) and held[name] for name in SECRETS):
        return held
    made = {name: held.get(name) or secrets.token_urlsafe(24) for name in SECRETS}
    text = json.dumps(made, indent=1)
    if held:
        _write_private(path, text)  # an older file without every password
    elif not _write_private(path, text, exclusive=True):
        return _read_secrets(path)
    return made


def _runs_as() -> tuple[str, str] | None:
    """Return the (user, group) Icecast must become when started as root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ICECAST_USER)
    except KeyError:
        entry = pwd.getpwnam("nobody")
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name


def config_text(*, port: int, bind: str, hook_url: str, keys: dict[str, str]) -> str:
    """Return ``icecast.xml`` for our instance."""
    owner = _runs_as()
    change_owner = (
        f"<changeowner><user>{escape(owner[0])}</user>"
        f"<group>{escape(owner[1])}</group></changeowner>"
        if owner
        else ""
    )
    hook = hook_url.rstrip("/") + HOOK_PATH
    share = Path("/usr/share/icecast2")
    return f"""<icecast>
  <location>grassroots</location>
  <admin>root@localhost</admin>
  <hostname>{escape(bind)}</hostname>
  <limits>
    <clients>20000</clients>
    <sources>50</sources>
    <queue-size>262144</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>{SOURCE_TIMEOUT_S}</source-timeout>
    <burst-on-connect>0</burst-on-connect>
    <burst-size>0</burst-size>
  </limits>
  <authentication>
    <source-password>{escape(keys["source"])}</source-password>
    <relay-password>{escape(keys["relay"])}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>{escape(keys["admin"])}</admin-password>
  </authentication>
  <listen-socket>
    <port>{int(port)}</port>
    <bind-address>{escape(bind)}</bind-address>
  </listen-socket>
  <mount type="default">
    <public>0</public>
    <authentication type="url">
      <option name="listener_add" value={quoteattr(hook)}/>
      <option name="listener_remove" value={quoteattr(hook)}/>
      <option name="username" value="icecast"/>
      <option name="password" value={quoteattr(keys["hook"])}/>
      <option name="auth_header" value="icecast-auth-user: 1"/>
    </authentication>
  </mount>
  <fileserve>0</fileserve>
  <paths>
    <basedir>{escape(str(_directory()))}</basedir>
    <logdir>{escape(str(_directory()))}</logdir>
    <webroot>{escape(str(share / "web"))}</webroot>
    <adminroot>{escape(str(share / "admin"))}</adminroot>
  </paths>
  <logging>
    <accesslog>-</accesslog>
    <errorlog>-</errorlog>
    <loglevel>2</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
    {change_owner}
  </security>
</icecast>
"""


def write() -> Files:
    """Write the configuration (mode 0600, owned by Icecast's account when root)."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    keys = passwords()
    conf = directory / "icecast.xml"
    _write_private(
        conf,
        config_text(
            port=settings.GRASSROOTS_STREAM_PORT,
            bind=settings.GRASSROOTS_STREAM_BIND,
            hook_url=settings.GRASSROOTS_STREAM_HOOK_URL,
            keys=keys,
        ),
    )
    return Files(conf=conf, secrets=directory / "secrets.json")


def source_url(mount: str) -> str:
    """Return the address ffmpeg sources a mount at (with the source password)."""
    keys = passwords()
    port = int(settings.GRASSROOTS_STREAM_PORT)
    return f"icecast://source:{keys['source']}@127.0.0.1:{port}{mount}"


def listen_url(mount: str) -> str:
    """Return the address devices listen at (without the token)."""
    return settings.GRASSROOTS_STREAM_URL.rstrip("/") + mount


def mounts(timeout_s: float = 2.0) -> set[str] | None:
    """Return the mount points with a source now, or None if Icecast does not answer."""
    keys = passwords()
    port = int(settings.GRASSROOTS_STREAM_PORT)
    request = urllib.request.Request(  # noqa: S310 - our own loopback address
        f"http://127.0.0.1:{port}/admin/listmounts",
        headers={
            "Authorization": "Basic "
            + b64encode(f"admin:{keys['admin']}".encode()).decode()
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            body = answer.read().decode("utf-8", "replace")
    except OSError:
        return None
    return set(re.findall(r'<source mount="([^"]+)"', body))
