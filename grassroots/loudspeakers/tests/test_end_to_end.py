"""The whole loop on a real broker: console action → broker → device → gateway → database.

An unplugged device shows offline within a minute; plugged back in, it
catches up the schedule sent meanwhile and resends the events it played
offline, which are counted exactly once even when sent twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from grassroots.loudspeakers import actions, plane
from grassroots.loudspeakers.gateway.service import Gateway
from grassroots.loudspeakers.models import Ack, ClusterStatus, PlayEvent
from grassroots_agent import device as device_module
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import Topics, area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

from .factories import item, make_cluster

pytestmark = [pytest.mark.broker, pytest.mark.django_db]

KEEPALIVE_S = 2


class Harness:
    """The real gateway's MQTT side, with its database writes done in the test's thread."""

    def __init__(self, broker, root: str):
        self.gateway = Gateway(
            url=broker.url,
            topics=Topics(root),
            share_group="",
            heartbeat_s=1,
            alert_after_s=600,
            flush_s=0.1,
            persistent=False,
        )
        self.gateway.ingest.refresh()
        self.gateway._connect()
        assert self.gateway.connected.wait(10), "the gateway could not connect"
        self.receipts = True
        self.discard = False
        self.discarded: list = []
        self.repeated = 0

    def pump(self, until: Callable[[], bool], timeout: float = 20.0) -> float:
        """Write what arrives until ``until()`` holds; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            items = self.gateway._take()
            if items and self.discard:
                self.discarded += items
            elif items:
                outcome = self.gateway.write(items)
                assert outcome is not None
                self.repeated += outcome.events_repeated
                if self.receipts:
                    self.gateway._send_receipts(outcome)
            self.gateway.housekeeping()
            if until():
                return time.monotonic() - started
        raise AssertionError("timed out")

    def close(self) -> None:
        self.gateway.client.disconnect()
        self.gateway.client.loop_stop()


@pytest.fixture
def mqtt_plane(broker, settings):
    settings.GRASSROOTS_DEVICE_PLANE = "mqtt"
    settings.GRASSROOTS_MQTT_URL = broker.url
    plane.reset()
    yield
    plane.reset()


def _online(cluster) -> bool:
    status = ClusterStatus.objects.filter(cluster=cluster).first()
    return bool(status and status.online)


def _plays(cluster, item_id: str) -> list[str]:
    return sorted(
        PlayEvent.objects.filter(cluster=cluster, item=item_id).values_list(
            "kind", flat=True
        )
    )


def test_offline_then_back_catches_up_and_counts_once(
    tree,
    broker,
    mqtt_plane,
    loop_thread,
    topic_root,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr(device_module, "RECEIPT_TIMEOUT_S", 0.7)
    a, b = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    secrets = {c.code: actions.issue_credentials(None, c) for c in (a, b)}
    broker.reload()
    harness = Harness(broker, topic_root)

    def build(cluster):
        return Device(
            DeviceConfig(
                cluster.code,
                secrets[cluster.code],
                port=broker.port,
                root=topic_root,
                areas=area_chain(cluster.area.path),
                heartbeat_s=1,
                keepalive_s=KEEPALIVE_S,
            ),
            player=NullPlayer(),
            cache=SimulatedCache(),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    devices = {c.code: loop_thread.call(build, c) for c in (a, b)}
    for d in devices.values():
        loop_thread.call(d.start)
    try:
        harness.pump(lambda: _online(a) and _online(b))

        # A schedule with one item now and one during the coming outage; a volume for the commune.
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_schedule(
                None, a, [item("now", start_in=1.0), item("later", start_in=6.0)]
            )
            command = actions.send_command(
                None, "volume", {"level": 33}, area=tree.commune_a
            )
        harness.pump(
            lambda: (
                _plays(a, "now") == ["finished", "started"]
                and Ack.objects.filter(ref=str(command.id), status="ok").count() == 2
                and ClusterStatus.objects.get(cluster=a).schedule_version == 1
            )
        )
        harness.pump(
            lambda: (
                set(
                    ClusterStatus.objects.filter(cluster__in=[a, b]).values_list(
                        "volume", flat=True
                    )
                )
                == {33}
            )
        )

        # Pull the cable: nothing flows, the broker finds out by keepalive.
        loop_thread.call(devices[a.code].unplug, True)
        took = harness.pump(lambda: not _online(a), timeout=60)
        assert took < 60
        assert _online(b)

        # Meanwhile a new schedule, and the "later" item plays offline.
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_schedule(None, a, [item("after", start_in=9.0)])
        deadline = time.monotonic() + 10
        while len(devices[a.code].events) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _plays(a, "later") == [], (
            "played offline, so nothing can have arrived yet"
        )

        # Plugged back in: the first receipts are lost, so the device sends its events twice.
        harness.receipts = False
        loop_thread.call(devices[a.code].plug)
        harness.pump(
            lambda: _online(a) and _plays(a, "later") == ["finished", "started"]
        )
        time.sleep(1.0)
        harness.receipts = True
        harness.pump(
            lambda: (
                ClusterStatus.objects.get(cluster=a).schedule_version == 2
                and _plays(a, "after") == ["finished", "started"]
                and len(devices[a.code].events) == 0
            ),
            timeout=30,
        )
        assert _plays(a, "later") == ["finished", "started"]
        assert _plays(a, "now") == ["finished", "started"]
        assert harness.repeated > 0, "the device was expected to send its events twice"
    finally:
        for d in devices.values():
            loop_thread.run(d.stop(graceful=False))
        harness.close()


def test_the_reference_agent_survives_a_stop_and_a_restart(
    tree,
    broker,
    settings,
    topic_root,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    """The agent process, stopped (SIGSTOP) then restarted, resends from its disk once."""
    settings.GRASSROOTS_DEVICE_PLANE = "mqtt"
    settings.GRASSROOTS_MQTT_URL = broker.url
    plane.reset()
    cluster = make_cluster(tree.hamlet_a1)
    secret = actions.issue_credentials(None, cluster)
    broker.reload()
    config = tmp_path / "agent.toml"
    config.write_text(
        actions.agent_config(cluster, secret, broker_url=broker.device_url)
        .replace(
            'state_dir = "/var/lib/grassroots-agent"',
            f'state_dir = "{tmp_path / "state"}"',
        )
        .replace('player = "auto"', 'player = "null"')
        .replace(
            f"heartbeat_s = {settings.GRASSROOTS_DEVICE_HEARTBEAT_S}", "heartbeat_s = 1"
        )
        + f"keepalive_s = {KEEPALIVE_S}\n"
    )
    # The null player does not download: give it the audio as if cached.
    sha = item()["audio"]["sha256"]
    (tmp_path / "state" / "audio" / sha[:2]).mkdir(parents=True)
    (tmp_path / "state" / "audio" / sha[:2] / sha).write_bytes(b"x")

    def start():
        return subprocess.Popen(  # noqa: S603 - our own agent
            [
                sys.executable,
                "-m",
                "grassroots_agent",
                "--config",
                str(config),
                "--log-level",
                "WARNING",
            ],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    harness = Harness(broker, topic_root)
    agent = start()
    try:
        harness.pump(lambda: _online(cluster))
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_schedule(
                None, cluster, [item("one", start_in=1.0), item("two", start_in=3.5)]
            )
        harness.pump(lambda: _plays(cluster, "one") == ["finished", "started"])

        # The gateway misses "two": its events stay on the agent's disk, unconfirmed.
        harness.discard = True
        harness.pump(
            lambda: any(
                r.kind == "events"
                and any(
                    e.get("item") == "two" and e["kind"] == "finished"
                    for e in r.message["events"]
                )
                for r in harness.discarded
            )
        )
        harness.discard = False
        agent.send_signal(signal.SIGSTOP)
        assert harness.pump(lambda: not _online(cluster), timeout=60) < 60
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_schedule(None, cluster, [item("three", start_in=4.0)])
        agent.kill()
        agent.wait(5)
        stored = json.loads((tmp_path / "state" / "state.json").read_text())
        assert stored["schedule"]["version"] == 1

        agent = start()
        harness.pump(
            lambda: (
                _online(cluster)
                and ClusterStatus.objects.get(cluster=cluster).schedule_version == 2
                and _plays(cluster, "two") == ["finished", "started"]
                and _plays(cluster, "three") == ["finished", "started"]
            ),
            timeout=30,
        )
        assert _plays(cluster, "one") == ["finished", "started"]
    finally:
        agent.kill()
        agent.wait(5)
        harness.close()
        plane.reset()
