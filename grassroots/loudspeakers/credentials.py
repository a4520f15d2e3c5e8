"""Device and service credentials for the MQTT broker.

A device's secret is 32 random bytes, shown once to whoever provisions the
cluster; only its hash is stored, in Mosquitto's own PBKDF2-SHA512 format
(``$7$iterations$salt$hash``) so the password file for Mosquitto is written
straight from the database, and the EMQX hooks check the same hashes.

The web and gateway processes log in as service accounts whose passwords are
derived from ``SECRET_KEY``: every process of the installation has it, none
of them stores another secret, and rotating ``SECRET_KEY`` rotates them.
Every name that starts with the service prefix is the installation's own: no
cluster may take one (see :func:`reserved`).
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

#: Broker accounts of the installation's own processes all start with this.
SERVICE_PREFIX = "gr-"
WEB = "gr-web"
GATEWAY = "gr-gateway"
#: Logs in after each reload to confirm the broker took the new files
#: (its password changes with them: see :func:`probe_password`).
PROBE = "gr-probe"
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


def _stable_hash(name: str, password: str) -> str:
    """Hash with a salt derived from the password, so unchanged files stay unchanged."""
    salt = hashlib.sha256(f"grassroots-salt:{name}:{password}".encode())
    return hash_secret(password, salt=salt.digest()[:SALT_BYTES])


def service_hash(name: str) -> str:
    """Return the hash of a service account's password."""
    return _stable_hash(name, service_password(name))


def probe_password(generation: str) -> str:
    """Return the probe account's password for one generation of the broker files.

    Only a broker that loaded that generation accepts it, so a successful
    login proves the reload happened (a revoked secret is refused from then on).
    """
    key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"grassroots-mqtt-probe:{generation}".encode(),
        "sha256",
    )
    return base64.urlsafe_b64encode(key.digest()).decode().rstrip("=")


def probe_hash(generation: str) -> str:
    return _stable_hash(PROBE, probe_password(generation))


def reserved(name: str) -> bool:
    """Return True if no cluster may use ``name`` as its code (its broker user name).

    The service prefix in any letter case (``gr-web``, ``GR-Gateway``, every
    future service), names a broker treats specially (``$SYS``…), and names
    that would be wildcards, topic levels or password-file separators.
    """
    return (
        not name
        or name.casefold().startswith(SERVICE_PREFIX)
        or name.startswith("$")
        or any(char in "+#/:%" or char.isspace() for char in name)
    )
