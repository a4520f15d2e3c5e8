import pytest
from django.core.cache import cache

from grassroots.bulletins import channels

from .builders import make_people


@pytest.fixture(autouse=True)
def empty_cache():
    """Portal pages are cached across requests; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(tree):
    return make_people(tree)


class Recorder:
    """Collects the channel events handlers receive."""

    def __init__(self):
        self.events = []

    def __call__(self, event):
        if not any(e is event for e in self.events):  # one per dispatch
            self.events.append(event)

    def kinds(self, bulletin_id=None):
        return [e.event for e in self.events if bulletin_id in (None, e.bulletin_id)]


@pytest.fixture
def recorder():
    """Record every event of every channel (duplicates removed per dispatch)."""
    seen = Recorder()
    for channel in channels.Channel.values:
        channels.register(channel, seen)
    yield seen
    for channel in channels.Channel.values:
        channels.unregister(channel, seen)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block's on-commit callbacks at its end.

    Tests run inside a transaction that never commits; this does what a real
    commit would (channel handlers, cache invalidation).
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)
