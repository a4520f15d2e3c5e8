"""Fault injection: processes killed with ``kill -9`` in the middle of a day's schedule and an emergency.

Real Mosquitto, the real database, the real gateway in a process of its own
(killed and started again), and simulated clusters from the agent package.
What must hold whatever dies: no airing missed (devices play from their
cache), no play event lost and none counted twice, an emergency started while
the gateway is down reaches every online cluster and its acknowledgements are
recorded once the gateway is back, and a withdrawal reaches every device once
the worker is back.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from multiprocessing.process import BaseProcess

import pytest
from django.db import connections

from grassroots.bulletins import actions as bulletins
from grassroots.bulletins import tasks as bulletin_tasks
from grassroots.bulletins.tests.builders import make_published
from grassroots.emergencies import actions as emergencies
from grassroots.loudspeakers import actions, plane, signing
from grassroots.loudspeakers.models import Ack, ClusterStatus, PlayEvent
from grassroots.loudspeakers.tests.factories import item, make_cluster
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _gateway_main() -> None:
    """The gateway process: what ``grassroots gateway`` runs, with test timings."""
    # Forked: the parent's connections and MQTT client belong to the parent.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    plane._planes.clear()
    from grassroots.loudspeakers.gateway.service import Gateway

    gateway = Gateway(
        instance="fault", share_group="", heartbeat_s=1, flush_s=0.1, persistent=True
    )
    signal.signal(signal.SIGTERM, lambda *_: gateway.stop())
    gateway.run()


class GatewayProcess:
    def __init__(self) -> None:
        self.process: BaseProcess | None = None

    def start(self) -> None:
        connections.close_all()
        process = multiprocessing.get_context("fork").Process(
            target=_gateway_main, daemon=True
        )
        process.start()
        self.process = process

    def kill9(self) -> None:
        assert self.process is not None and self.process.pid is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
            if self.process.is_alive():
                self.kill9()


@pytest.fixture
def gateway(settings, broker, mqtt_plane):
    settings.GRASSROOTS_GATEWAY_SHARE_GROUP = ""
    process = GatewayProcess()
    yield process
    process.stop()


def wait_for(check, timeout: float = 20.0, what: str = "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


def start_devices(clusters, secrets, broker, root, loop_thread) -> list[Device]:
    configs = [
        DeviceConfig(
            c.code,
            secrets[c.code],
            port=broker.port,
            root=root,
            areas=area_chain(c.area.path),
            server_keys=signing.public_keys(),
            heartbeat_s=1,
            keepalive_s=2,
            reconnect_max_s=1.0,
        )
        for c in clusters
    ]

    def build(config):
        return Device(
            config,
            player=NullPlayer(),
            cache=SimulatedCache(delay_s=(0.0, 0.01)),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    devices = [loop_thread.call(build, config) for config in configs]
    for device in devices:
        loop_thread.call(device.start)
    return devices


def all_online(clusters) -> bool:
    return ClusterStatus.objects.filter(
        cluster__in=clusters, online=True
    ).count() == len(clusters)


def plays(clusters, ids) -> Counter:
    return Counter(
        PlayEvent.objects.filter(cluster__in=clusters, item__in=ids).values_list(
            "cluster_id", "item", "kind"
        )
    )


def assert_every_item_aired_once(clusters, ids, devices) -> None:
    counted = plays(clusters, ids)
    for cluster in clusters:
        for item_id in ids:
            for kind in ("started", "finished"):
                assert counted[(cluster.pk, item_id, kind)] == 1, (
                    cluster.code,
                    item_id,
                    kind,
                    counted[(cluster.pk, item_id, kind)],
                )
    assert all(len(d.events) == 0 for d in devices), "events still unconfirmed"


def _fleet(tree, broker, gateway, topic_root, loop_thread):
    """Three clusters with their own credentials, the gateway up, their devices started."""
    clusters = [make_cluster(tree.hamlet_a1) for _ in range(3)]
    secrets = {c.code: actions.issue_credentials(None, c) for c in clusters}
    broker.reload()
    gateway.start()
    devices = start_devices(clusters, secrets, broker, topic_root, loop_thread)
    return clusters, devices


def _send_day(clusters, ids, gap_s):
    """Send each cluster a day of short airings ``gap_s`` apart, the first in 1.5 s."""
    for cluster in clusters:
        actions.send_schedule(
            None,
            cluster,
            [
                item(i, start_in=1.5 + gap_s * n, duration_s=0.4)
                for n, i in enumerate(ids)
            ],
        )


def test_gateway_killed_mid_schedule_and_an_emergency_started_while_it_is_down(
    tree, broker, gateway, loop_thread, topic_root, flood, operator_a
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    try:
        wait_for(lambda: all_online(clusters), what="clusters online")
        ids = [f"day-{n}" for n in range(4)]
        _send_day(clusters, ids, gap_s=1.2)
        wait_for(
            lambda: plays(clusters, ids[:1])[(clusters[0].pk, ids[0], "started")] == 1,
            what="the first airing recorded",
        )
        gateway.kill9()  # the middle of the day's schedule
        time.sleep(2.5)  # two items air while nothing records them

        # An emergency while the gateway is down: it goes to the broker straight.
        emergency = emergencies.start(
            operator_a, flood, areas=[tree.hamlet_a1], repeat=1, text="Lũ về."
        )
        wait_for(
            lambda: all(emergency.item_id in d.playout.emergencies for d in devices),
            what="the emergency on every device",
        )
        gateway.start()
        wait_for(
            lambda: (
                Ack.objects.filter(
                    ref_type="emergency", ref=emergency.item_id, status="ok"
                ).count()
                == len(clusters)
            ),
            what="every acknowledgement recorded",
        )
        wait_for(
            lambda: (
                sum(plays(clusters, ids).values()) == 2 * len(ids) * len(clusters)
                and all(len(d.events) == 0 for d in devices)
            ),
            timeout=25,
            what="every airing recorded",
        )
        assert_every_item_aired_once(clusters, ids, devices)
        assert (
            Ack.objects.filter(ref_type="emergency", ref=emergency.item_id)
            .values("cluster")
            .distinct()
            .count()
            == 3
        )
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))


def test_broker_killed_mid_schedule_and_a_withdrawal_reaches_devices_once_the_worker_is_back(
    tree, people, broker, gateway, loop_thread, topic_root, monkeypatch
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    try:
        wait_for(lambda: all_online(clusters), what="clusters online")
        ids = [f"day-{n}" for n in range(3)]
        _send_day(clusters, ids, gap_s=1.5)
        wait_for(
            lambda: all(d.schedule and d.schedule["items"] for d in devices),
            what="schedules on the devices",
        )
        time.sleep(1.8)
        broker.process.kill()  # kill -9 between two airings
        broker.process.wait(5)
        time.sleep(1.0)
        broker.start()
        wait_for(
            lambda: (
                sum(plays(clusters, ids).values()) == 2 * len(ids) * len(clusters)
                and all(len(d.events) == 0 for d in devices)
            ),
            timeout=30,
            what="every airing recorded after the broker restart",
        )
        assert_every_item_aired_once(clusters, ids, devices)

        # A priority bulletin on the air, then withdrawn while the worker is down.
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, level="priority"
        )

        def holds_bulletin(device) -> bool:
            return any(
                f"bul:{bulletin.pk}:" in entry["id"]
                for entry in (device.schedule or {}).get("items", [])
            )

        wait_for(lambda: all(holds_bulletin(d) for d in devices), what="bulletin aired")
        monkeypatch.setattr(
            bulletin_tasks, "deliver_channel_events", lambda ids: None
        )  # the queue lost it; the worker is down
        bulletins.withdraw(people.approver_a, bulletin, reason="Nhầm")
        time.sleep(1.0)
        assert all(holds_bulletin(d) for d in devices), "nothing delivered it yet"
        # The worker is back: its minute sweep delivers what is waiting.
        bulletin_tasks.sweep_channel_events.call_local()
        wait_for(
            lambda: not any(holds_bulletin(d) for d in devices),
            what="the withdrawal on every device",
        )
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))
