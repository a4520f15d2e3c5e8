"""Test settings: fast password hashing, jobs run inline, mail kept in memory.

``DATABASE_URL`` still chooses the database, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os

from grassroots.conf import BASE_DIR

# Tests keep their files apart from the demo's data directory.
os.environ.setdefault("GRASSROOTS_DATA_DIR", str(BASE_DIR / "var" / "test"))

from .base import *  # noqa: E402, F403
from .base import DATA_DIR, DATABASES, HUEY  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# No connection pool in tests: its idle connections keep the test database
# from being dropped at the end of the run.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
# The live server's threads must not keep connections open past a test
# (PostgreSQL then refuses to drop the test database).
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, as in production, not Django's in-memory test database: that
    # one is a single connection, which the live server hands to every
    # request thread while the test's own thread uses it too. Two threads
    # stepping one sqlite3 connection at once fail at random ("bad parameter
    # or other API misuse" on Debian 13's Python 3.13). With a file, each
    # thread opens its own connection and SQLite's locks (IMMEDIATE
    # transactions and the busy timeout from base.py) order them.
    # pytest-xdist adds _gw0, _gw1 to the name.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    # Nothing here must survive a power cut: no waiting for the disk. No WAL
    # either: its side files would outlive the database, which Django deletes
    # while the live server's last connections close.
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA busy_timeout=20000;"
    )
# Messages to devices are kept in memory unless a test starts a broker.
GRASSROOTS_DEVICE_PLANE = "memory"
