"""ASGI entry point: the web process (pages, APIs, and live server-sent events)."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")

application = get_asgi_application()

# Static files and media come as file iterators (WhiteNoise, Django's serve view
# in embedded mode; nginx in production); Django reads them in a thread, which
# is what we want, so its note about it once per process is noise.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

# Board players' push streams are served from the event loop, in front of the
# (synchronous) middleware: see grassroots/boards/push/asgi.py.
from grassroots.boards.push.asgi import with_board_streams  # noqa: E402

application = with_board_streams(application)

# The live broadcasts' microphone sockets, likewise: see grassroots/live/ingest.py.
from grassroots.live.ingest import with_live_sockets  # noqa: E402

application = with_live_sockets(application)
