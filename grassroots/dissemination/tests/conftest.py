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


from grassroots.loudspeakers.tests.conftest import outbox  # noqa: E402, F401
