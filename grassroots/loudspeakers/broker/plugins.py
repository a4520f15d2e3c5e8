"""amqtt plugins that enforce the same password and ACL files as Mosquitto.

Both read the files written by :mod:`grassroots.loudspeakers.brokerfiles`
and reload them when they change (checked at most once a second), so a
revoked or rotated credential takes effect as it does on Mosquitto after
``systemctl reload``. Sessions whose user lost its account are closed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin

from .. import acl
from ..credentials import verify

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0


class _Files:
    """The parsed password and ACL files, shared by both plugins of one broker."""

    instances: dict[str, _Files] = {}

    def __init__(self, directory: Path):
        self.directory = directory
        self.passwords: dict[str, str] = {}
        self.rules: dict[str, list[acl.Rule]] = {}
        self.stamp: tuple[float, float] | None = None
        self.checked = 0.0
        #: user → digest of the last password that verified (PBKDF2 once per secret).
        self.verified: dict[str, bytes] = {}
        self.on_reload: list = []

    @classmethod
    def get(cls, directory: str) -> _Files:
        if directory not in cls.instances:
            cls.instances[directory] = cls(Path(directory))
        files = cls.instances[directory]
        files.maybe_reload()
        return files

    def maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self.checked < CHECK_EVERY_S and self.stamp is not None:
            return
        self.checked = now
        try:
            stamp = (
                (self.directory / "passwd").stat().st_mtime,
                (self.directory / "acl").stat().st_mtime,
            )
        except FileNotFoundError:
            logger.error(
                "broker files missing in %s: refusing everyone", self.directory
            )
            self.passwords, self.rules, self.stamp = {}, {}, None
            return
        if stamp == self.stamp:
            return
        passwords = {}
        for line in (self.directory / "passwd").read_text().splitlines():
            if ":" in line and not line.startswith("#"):
                user, hashed = line.split(":", 1)
                passwords[user] = hashed.strip()
        old = self.passwords
        self.passwords = passwords
        self.rules = acl.parse((self.directory / "acl").read_text())
        self.stamp = stamp
        self.verified = {
            u: d for u, d in self.verified.items() if old.get(u) == passwords.get(u)
        }
        logger.info("broker files loaded: %d accounts", len(passwords))
        for callback in self.on_reload:
            callback(set(passwords))

    def check(self, username: str, password: str) -> bool:
        hashed = self.passwords.get(username)
        if hashed is None or not password:
            return False
        digest = hashlib.sha256(f"{hashed}\0{password}".encode()).digest()
        if self.verified.get(username) == digest:
            return True
        if verify(password, hashed):
            self.verified[username] = digest
            return True
        return False


class FileAuthPlugin(BaseAuthPlugin):
    """Accept a client only with a user name and password from the password file."""

    @dataclass
    class Config:
        directory: str = ""

    async def authenticate(self, *, session) -> bool:
        files = _Files.get(self.config.directory)
        ok = files.check(session.username or "", session.password or "")
        if not ok:
            logger.warning(
                "refused a connection: user %r, client id %r",
                session.username,
                session.client_id,
            )
        return ok


class FileAclPlugin(BaseTopicPlugin):
    """Allow each user only the topics the ACL file grants it."""

    @dataclass
    class Config:
        directory: str = ""

    async def topic_filtering(self, *, session=None, topic=None, action=None) -> bool:
        if session is None or not topic:
            return False
        files = _Files.get(self.config.directory)
        rules = files.rules.get(session.username or "")
        if not rules:
            return False
        access = acl.WRITE if action == Action.PUBLISH else acl.READ
        ok = acl.allowed(rules, topic, access)
        if not ok and action != Action.RECEIVE:
            logger.warning("refused %s on %s for %r", access, topic, session.username)
        return ok
