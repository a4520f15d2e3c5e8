"""Embedded mode: one machine, no servers to set up (``make run``)."""

from .base import *  # noqa: F403
from .base import CONFIG, STORAGES

# Serve static files straight from the apps so that a code change needs no
# collectstatic; production serves the collected, hashed copies.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = CONFIG.debug
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
