"""Device and service credentials for the MQTT broker.

A device's secret is 32 random bytes, shown once to whoever provisions the
cluster; only its hash is stored, in Mosquitto's own PBKDF2-SHA512 format
(``$7$iterations$salt$hash``) so the password file for Mosquitto is written
straight from the database, and the embedded broker checks the same hashes.

The web and gateway processes log in as service accounts whose passwords are
derived from ``SECRET_KEY``: every process of the installation has it, none
of them stores another secret, and rotating ``SECRET_KEY`` rotates them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

#: Device secrets are random 256-bit strings, not passwords people choose, so
#: key stretching adds no safety; a modest count keeps a whole fleet's
#: reconnection after a broker restart cheap for the broker.
ITERATIONS = 1000
SALT_BYTES = 12

WEB = "gr-web"
GATEWAY = "gr-gateway"
SERVICES = (WEB, GATEWAY)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(
    secret: str, *, salt: bytes | None = None, iterations: int = ITERATIONS
) -> str:
    """Return the secret's hash in Mosquitto's ``$7$`` format."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, iterations)
    return "$7${}${}${}".format(
        iterations, base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )


def verify(secret: str, hashed: str) -> bool:
    """Return True if ``secret`` matches a ``$7$`` hash."""
    try:
        _empty, kind, iterations, salt, digest = hashed.split("$")
        if kind != "7":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.pbkdf2_hmac(
            "sha512", secret.encode(), base64.b64decode(salt), int(iterations)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def service_password(name: str) -> str:
    """Return the broker password of a service account (derived, never stored)."""
    if name not in SERVICES:
        raise ValueError(f"unknown service account {name!r}")
    key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"grassroots-mqtt-service:{name}".encode(),
        "sha256",
    )
    return base64.urlsafe_b64encode(key.digest()).decode().rstrip("=")


def service_hash(name: str) -> str:
    """Return the service's hash with a salt derived from it, so files stay stable."""
    salt = hashlib.sha256(f"grassroots-salt:{name}:{service_password(name)}".encode())
    return hash_secret(service_password(name), salt=salt.digest()[:SALT_BYTES])
