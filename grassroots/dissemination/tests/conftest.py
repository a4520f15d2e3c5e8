import pytest

from grassroots.bulletins.tests.builders import make_people
from grassroots.loudspeakers.tests.conftest import (  # noqa: F401 - fixtures reused
    broker,
    loop_thread,
    topic_root,
)


@pytest.fixture
def people(tree):
    return make_people(tree)
