"""Fault injection: processes killed with ``kill -9`` in the middle of a day's schedule and an emergency.

Real Mosquitto, the real database, the real gateway and worker (a huey
consumer on a queue file of the test's own) in processes of their own
(killed and started again), a web process forked to make one change and be
killed right after its commit, the database made unreachable for seconds
(PostgreSQL: backends terminated and connections refused; SQLite: locked),
and simulated clusters from the agent package. Devices dropping and coming
back are in ``loudspeakers/tests/test_end_to_end.py``.
What must hold whatever dies: no airing missed (devices play from their
cache), no play event lost and none counted twice, an emergency started while
the gateway is down reaches every online cluster and its acknowledgements are
recorded once the gateway is back, and a withdrawal reaches every device once
the worker is back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from multiprocessing.process import BaseProcess

import pytest
from django.db import connection, connections
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from grassroots.bulletins import actions as bulletins
from grassroots.bulletins import tasks as bulletin_tasks
from grassroots.bulletins.models import ChannelDelivery, DeliveryState
from grassroots.bulletins.tests.builders import make_published
from grassroots.emergencies import actions as emergencies
from grassroots.emergencies.models import Emergency, State
from grassroots.loudspeakers import actions, plane, signing
from grassroots.loudspeakers.models import Ack, ClusterStatus, PlayEvent
from grassroots.loudspeakers.tests.factories import item, make_cluster
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


CHILD_APPLICATION = "grassroots-fault-child"


def _forget_parent_connections() -> None:
    """In a forked child: the parent's connections and MQTT client are the parent's.

    The child's own connections carry an application name, so that the
    database outage cuts them (and the test process's never: a later test in
    this worker would meet a terminated connection).
    """
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    options = connections.settings["default"].setdefault("OPTIONS", {})
    if connection.vendor == "postgresql":
        options["application_name"] = CHILD_APPLICATION
    plane._planes.clear()


def _gateway_main() -> None:
    """The gateway process: what ``grassroots gateway`` runs, with test timings."""
    _forget_parent_connections()
    from grassroots.loudspeakers.gateway.service import Gateway

    gateway = Gateway(
        instance="fault", share_group="", heartbeat_s=1, flush_s=0.1, persistent=True
    )
    signal.signal(signal.SIGTERM, lambda *_: gateway.stop())
    gateway.run()


def _worker_main() -> None:
    """The worker process: what ``grassroots run_huey`` runs, on the test's queue."""
    _forget_parent_connections()
    HUEY.create_consumer(workers=1, worker_type="thread", periodic=False).run()


class ChildProcess:
    """A process of ``make run`` forked from the test, killed and started again."""

    def __init__(self, target: Callable[[], None]) -> None:
        self.target = target
        self.process: BaseProcess | None = None

    def start(self) -> None:
        connections.close_all()
        process = multiprocessing.get_context("fork").Process(
            target=self.target, daemon=True
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
    process = ChildProcess(_gateway_main)
    yield process
    process.stop()


@pytest.fixture
def worker(tmp_path):
    """A real huey queue (SQLite in a file of the test's own) and a worker consuming it.

    The test process plays the web process: what it enqueues waits in the
    file while the worker is down, as it would in Redis or ``huey.sqlite3``.
    """
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(name="faults", filename=str(tmp_path / "huey.db"))
    process = ChildProcess(_worker_main)
    yield process
    process.stop()
    HUEY.immediate = True


def wait_for(check, timeout: float = 20.0, what: str | Callable[[], str] = "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what() if callable(what) else what}")


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
    """Every airing recorded once: one ``finished``, and one ``started`` per attempt.

    An emergency pre-empts the item on the air, which starts again after it
    (``started``, ``preempted``, ``started``, ``finished``): each of those is
    an event of its own. An event counted twice, or one lost, breaks the sums.
    """
    counted = plays(clusters, ids)
    for cluster in clusters:
        for item_id in ids:
            key = (cluster.pk, item_id)
            started, preempted, finished = (
                counted[(*key, kind)] for kind in ("started", "preempted", "finished")
            )
            assert finished == 1 and started == 1 + preempted, (
                cluster.code,
                item_id,
                started,
                preempted,
                finished,
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


def _day_under_way(clusters, count: int) -> list[str]:
    """Once every cluster is online, send a day of ``count`` airings; return when the first aired."""
    wait_for(lambda: all_online(clusters), what="clusters online")
    ids = [f"day-{n}" for n in range(count)]
    _send_day(clusters, ids, gap_s=1.2)
    wait_for(
        lambda: plays(clusters, ids[:1])[(clusters[0].pk, ids[0], "started")] == 1,
        what="the first airing recorded",
    )
    return ids


def test_gateway_killed_mid_schedule_and_an_emergency_started_while_it_is_down(
    tree, broker, gateway, loop_thread, topic_root, flood, operator_a
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    try:
        ids = _day_under_way(clusters, 4)
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
        # The restarted gateway forks, sets Django up and connects before the
        # broker hands it the queued acks: on a loaded 2-core machine (Debian 13,
        # four processes busy) that took 20-25 s, so the wait is longer here.
        wait_for(
            lambda: (
                Ack.objects.filter(
                    ref_type="emergency", ref=emergency.item_id, status="ok"
                ).count()
                == len(clusters)
            ),
            timeout=45,
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


def _holds(bulletin):
    def check(device) -> bool:
        return any(
            f"bul:{bulletin.pk}:" in entry["id"]
            for entry in (device.schedule or {}).get("items", [])
        )

    return check


def _acks(emergency) -> int:
    return Ack.objects.filter(
        ref_type="emergency", ref=emergency.item_id, status="ok"
    ).count()


def _every_airing_recorded(clusters, ids, devices, timeout: float = 25) -> None:
    def finished() -> bool:
        counted = plays(clusters, ids)
        return all(
            counted[(c.pk, i, "finished")] >= 1 for c in clusters for i in ids
        ) and all(len(d.events) == 0 for d in devices)

    wait_for(
        finished,
        timeout=timeout,
        what=lambda: (
            f"every airing recorded: {sorted(plays(clusters, ids).items())}, "
            f"unconfirmed {[len(d.events) for d in devices]}"
        ),
    )
    assert_every_item_aired_once(clusters, ids, devices)


def test_worker_killed_mid_schedule_and_mid_emergency_then_a_withdrawal_made_while_it_is_dead(
    tree, people, broker, gateway, worker, loop_thread, topic_root, flood, operator_a
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    worker.start()
    try:
        ids = _day_under_way(clusters, 4)
        worker.kill9()  # the middle of the day's schedule
        # An emergency while the worker is dead: it needs no queue.
        emergency = emergencies.start(
            operator_a, flood, areas=[tree.hamlet_a1], repeat=1, text="Lũ về."
        )
        wait_for(
            lambda: all(emergency.item_id in d.playout.emergencies for d in devices),
            what="the emergency on every device",
        )
        wait_for(lambda: _acks(emergency) == len(clusters), what="acks recorded")
        _every_airing_recorded(clusters, ids, devices)

        # The outbox: a priority bulletin goes on the air through the worker...
        worker.start()
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, level="priority"
        )
        holds = _holds(bulletin)
        wait_for(lambda: all(holds(d) for d in devices), what="bulletin aired")
        # ...which is killed; the withdrawal waits in the queue and the outbox.
        worker.kill9()
        bulletins.withdraw(people.approver_a, bulletin, reason="Nhầm")
        time.sleep(1.5)
        assert all(holds(d) for d in devices), "nothing delivered it yet"
        assert ChannelDelivery.objects.filter(
            bulletin=bulletin, event="withdrawn", state=DeliveryState.PENDING
        ).exists()
        worker.start()  # as the supervisor does
        wait_for(
            lambda: not any(holds(d) for d in devices),
            what="the withdrawal on every device once the worker is back",
        )
        assert not ChannelDelivery.objects.filter(
            bulletin=bulletin, state=DeliveryState.PENDING
        ).exists()
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))


def _web_main(action: Callable[[], object]) -> Callable[[], None]:
    """A web process that makes ``action`` and is killed right after its commit."""

    def main() -> None:
        _forget_parent_connections()
        from grassroots.loudspeakers import actions as loudspeakers

        def killed(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # committed, not yet published

        loudspeakers.publish_emergencies = killed
        action()

    return main


def _killed_web(action: Callable[[], object]) -> None:
    web = ChildProcess(_web_main(action))
    web.start()
    assert web.process is not None
    web.process.join(20)
    assert web.process.exitcode == -signal.SIGKILL


def test_web_killed_after_committing_an_emergency_and_its_cancellation(
    tree, broker, gateway, loop_thread, topic_root, flood, operator_a
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    try:
        ids = _day_under_way(clusters, 4)
        before = set(Emergency.objects.values_list("pk", flat=True))
        _killed_web(
            lambda: emergencies.start(
                operator_a, flood, areas=[tree.hamlet_a1], repeat=1, text="Lũ về."
            )
        )
        emergency = Emergency.objects.exclude(pk__in=before).get()
        assert emergency.state == State.ACTIVE
        assert not emergency.delivered
        # The gateway's housekeeping publishes what the dead process did not.
        wait_for(
            lambda: all(emergency.item_id in d.playout.emergencies for d in devices),
            what="the committed emergency on every online device",
        )
        wait_for(lambda: _acks(emergency) == len(clusters), what="acks recorded")
        emergency.refresh_from_db()
        assert emergency.delivered

        # A cancellation committed by a web process killed before publishing it.
        _killed_web(lambda: emergencies.cancel(operator_a, emergency))
        wait_for(
            lambda: (
                not any(emergency.item_id in d.playout.emergencies for d in devices)
            ),
            what="the committed cancellation on every device",
        )
        emergency.refresh_from_db()
        assert emergency.state == State.CANCELLED and emergency.delivered

        # The web process back: a new emergency and its cancellation work.
        again = emergencies.start(
            operator_a, flood, areas=[tree.hamlet_a1], repeat=1, text="Lũ lần hai."
        )
        wait_for(
            lambda: all(again.item_id in d.playout.emergencies for d in devices),
            what="the second emergency on every device",
        )
        emergencies.cancel(operator_a, again)
        wait_for(
            lambda: not any(again.item_id in d.playout.emergencies for d in devices),
            what="the second cancellation on every device",
        )
        _every_airing_recorded(clusters, ids, devices)
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))


@contextlib.contextmanager
def database_down(seconds: float):
    """The database unreachable for ``seconds``; the shared server keeps running.

    PostgreSQL: every backend of the forked processes terminated and new
    connections refused (``ALLOW_CONNECTIONS false``), as in a restart.
    SQLite: the file locked exclusively by another process's transaction.
    """
    name = connection.settings_dict["NAME"]
    connections.close_all()
    if connection.vendor == "postgresql":
        import psycopg

        given = connection.settings_dict
        admin = psycopg.connect(
            host=given["HOST"] or None,
            port=given["PORT"] or None,
            user=given["USER"] or None,
            password=given["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        try:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = %s",
                [name, CHILD_APPLICATION],
            ).fetchone()
            assert cut and cut[0] > 0, "no connection of the forked processes to cut"
            yield
            time.sleep(seconds)
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.close()
    else:
        lock = sqlite3.connect(name, timeout=20, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
            yield
            time.sleep(seconds)
        finally:
            lock.execute("ROLLBACK")
            lock.close()


def test_database_down_mid_broadcast(
    tree, people, broker, gateway, worker, loop_thread, topic_root
):
    clusters, devices = _fleet(tree, broker, gateway, topic_root, loop_thread)
    worker.start()
    try:
        ids = _day_under_way(clusters, 5)
        with database_down(4.0):
            pass  # items air from the devices' caches; their events wait
        connections.close_all()
        # The gateway reconnects by itself: every event recorded, none twice.
        _every_airing_recorded(clusters, ids, devices, timeout=40)
        # So does the worker: a bulletin published now goes on the air.
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, level="priority"
        )
        holds = _holds(bulletin)
        wait_for(lambda: all(holds(d) for d in devices), what="bulletin aired")
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))
