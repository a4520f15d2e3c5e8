import pytest
from django.core.cache import cache

from grassroots.bulletins.tests.builders import make_people


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(tree):
    return make_people(tree)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block's on-commit callbacks (channel handlers)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
