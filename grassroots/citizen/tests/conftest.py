import pytest

from grassroots.bulletins.tests.conftest import (  # noqa: F401 - shared fixtures
    committed,
    empty_cache,
    people,
)
from grassroots.feedback.tests.conftest import (  # noqa: F401 - shared fixtures
    clean_state,
    place,
)

from .pushservice import PushService


@pytest.fixture
def push_service(settings, tmp_path):
    """A local push service the server may post to, and VAPID keys of the test's own."""
    service = PushService()
    settings.GRASSROOTS_PUSH_ALLOW_HTTP = True
    settings.GRASSROOTS_PUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    settings.GRASSROOTS_PUSH_KEYS_DIR = tmp_path / "webpush"
    yield service
    service.stop()
