"""ASGI entry point: the web process (pages, APIs, and live server-sent events)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")

application = get_asgi_application()
