"""Fixtures of the fault tests: a private Mosquitto, people, an emergency bulletin."""

from grassroots.emergencies.tests.conftest import (  # noqa: F401 - fixtures
    broker,
    fake_speech,
    flood,
    loop_thread,
    operator_a,
    outbox,
    people,
    topic_root,
)
from grassroots.loudspeakers.tests.test_end_to_end import (  # noqa: F401 - fixture
    mqtt_plane,
)
