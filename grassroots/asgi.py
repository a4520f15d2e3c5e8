"""ASGI entry point: the web process (pages, APIs, and live server-sent events)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")

application = get_asgi_application()

# Board players' push streams are served from the event loop, in front of the
# (synchronous) middleware: see grassroots/boards/push/asgi.py.
from grassroots.boards.push.asgi import with_board_streams  # noqa: E402

application = with_board_streams(application)
