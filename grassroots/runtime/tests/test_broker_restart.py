"""A broker killed with ``kill -9`` loses what it had not saved; the gateway puts it back.

A cluster that (re)connects after the restart must find its schedule, its
configuration and the active emergency list within seconds, or it would sit
silent through a flood warning.
"""

from __future__ import annotations

import time

import pytest

from grassroots.emergencies import actions as emergencies
from grassroots.loudspeakers import actions, signing
from grassroots.loudspeakers.models import Cluster
from grassroots.loudspeakers.tests.factories import item, make_cluster
from grassroots.loudspeakers.tests.test_end_to_end import Harness
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


def wait_for(check, timeout: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("timed out")


def fresh_device(cluster: Cluster, secret: str, broker, root: str):
    """Return a builder of a device with nothing stored: it knows only what the broker hands it."""
    code, areas, keys = (
        cluster.code,
        area_chain(cluster.area.path),
        signing.public_keys(),
    )
    return lambda: Device(
        DeviceConfig(
            code,
            secret,
            port=broker.port,
            root=root,
            areas=areas,
            server_keys=keys,
            heartbeat_s=1,
            keepalive_s=2,
        ),
        player=NullPlayer(),
        cache=SimulatedCache(delay_s=(0.0, 0.01)),
        events=MemoryEvents(),
        state=MemoryState(),
    )


def test_after_a_kill_9_of_the_broker_a_device_finds_schedule_config_and_emergency(
    tree,
    broker,
    mqtt_plane,
    loop_thread,
    topic_root,
    flood,
    operator_a,
    django_capture_on_commit_callbacks,
):
    cluster = make_cluster(tree.hamlet_a1)
    secret = actions.issue_credentials(None, cluster)
    broker.reload()
    harness = Harness(broker, topic_root)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.publish_config(cluster)
            actions.send_schedule(
                None, cluster, [item("morning", start_in=3600, duration_s=60)]
            )
            emergency = emergencies.start(
                operator_a,
                flood,
                areas=[tree.hamlet_a1],
                repeat=3,
                text="Lũ về, di dời ngay.",
            )
        cluster.refresh_from_db()

        # Killed before its store was saved (autosave is every 30 s): all retained gone.
        broker.process.kill()
        broker.process.wait(5)
        harness.gateway.republish_due.clear()
        broker.start()
        wait_for(harness.gateway.republish_due.is_set, timeout=15)
        with django_capture_on_commit_callbacks(execute=True):
            assert harness.gateway.republish_if_due()

        device = loop_thread.call(fresh_device(cluster, secret, broker, topic_root))
        loop_thread.call(device.start)
        try:
            took = wait_for(
                lambda: (
                    (device.schedule or {}).get("version") == cluster.schedule_version
                    and device.config_rev == cluster.config_rev
                    and emergency.item_id in device.playout.emergencies
                ),
                timeout=10,
            )
        finally:
            loop_thread.run(device.stop(graceful=False))
        assert took < 10
    finally:
        harness.close()
