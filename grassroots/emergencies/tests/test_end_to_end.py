"""An emergency (and a drill) on a real broker: simulated clusters cut what they play, ack, and stop on cancel."""

from __future__ import annotations

import pytest

from grassroots.emergencies import actions
from grassroots.emergencies.live import live
from grassroots.emergencies.models import State
from grassroots.emergencies.report import report
from grassroots.loudspeakers import actions as loudspeakers
from grassroots.loudspeakers import signing
from grassroots.loudspeakers.models import Ack, ClusterStatus, PlayEvent
from grassroots.loudspeakers.tests.factories import item, make_cluster
from grassroots.loudspeakers.tests.test_end_to_end import (  # noqa: F401 - fixture
    Harness,
    mqtt_plane,
)
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


def _kinds(cluster, item_id: str) -> list[str]:
    return sorted(
        PlayEvent.objects.filter(cluster=cluster, item=item_id).values_list(
            "kind", flat=True
        )
    )


def _reasons(cluster, item_id: str, kind: str) -> list[str]:
    return list(
        PlayEvent.objects.filter(cluster=cluster, item=item_id, kind=kind).values_list(
            "reason", flat=True
        )
    )


def test_an_emergency_preempts_is_acknowledged_and_cancel_stops_it(
    tree,
    broker,
    mqtt_plane,  # noqa: F811
    loop_thread,
    topic_root,
    flood,
    operator_a,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    clusters = [make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a1)]
    outside = make_cluster(tree.hamlet_b1)
    everyone = [*clusters, outside]
    secrets = {c.code: loudspeakers.issue_credentials(None, c) for c in everyone}
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
                server_keys=signing.public_keys(),
                heartbeat_s=1,
                keepalive_s=2,
            ),
            player=NullPlayer(),
            cache=SimulatedCache(delay_s=(0.0, 0.01)),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    devices = [loop_thread.call(build, c) for c in everyone]
    for d in devices:
        loop_thread.call(d.start)
    try:
        harness.pump(
            lambda: (
                ClusterStatus.objects.filter(cluster__in=everyone, online=True).count()
                == 3
            )
        )
        # A programme plays everywhere.
        with capture(execute=True):
            for cluster in everyone:
                loudspeakers.send_schedule(
                    None, cluster, [item("prog", start_in=0.3, duration_s=60)]
                )
        harness.pump(lambda: all(_kinds(c, "prog") == ["started"] for c in everyone))

        # The emergency: one publish for the hamlet; both clusters there cut in.
        # (How fast is measured by bench/fanout.py --mode emergency, not here.)
        with capture(execute=True):
            emergency = actions.start(
                operator_a,
                flood,
                areas=[tree.hamlet_a1],
                repeat=5,
                text="Lũ về, di dời ngay đến nơi an toàn.",
            )
        item_id = emergency.item_id
        harness.pump(
            lambda: (
                Ack.objects.filter(
                    ref_type="emergency", ref=item_id, version=1, status="ok"
                ).count()
                == 2
            )
        )
        harness.pump(
            lambda: all(
                "pre-empted" in _reasons(c, "prog", "preempted")
                and "started" in _kinds(c, item_id)
                for c in clusters
            )
        )
        status = live(emergency)
        assert (status.targeted, status.acked, status.waiting_online_count) == (
            2,
            2,
            0,
        )
        # The other commune's cluster goes on with its programme.
        assert _kinds(outside, "prog") == ["started"]
        assert not Ack.objects.filter(cluster=outside, ref_type="emergency").exists()

        # Cancel: it stops at once, the programme comes back.
        with capture(execute=True):
            actions.cancel(operator_a, emergency)
        harness.pump(
            lambda: all(
                _reasons(c, item_id, "preempted") == ["cancelled"] for c in clusters
            )
        )
        harness.pump(
            lambda: all(_kinds(c, "prog").count("started") == 2 for c in clusters),
        )
        assert not PlayEvent.objects.filter(item=item_id, kind="finished").exists()
    finally:
        for d in devices:
            loop_thread.run(d.stop(graceful=False))
        harness.close()


def test_a_drill_is_played_as_a_drill_and_a_real_emergency_cuts_it(
    tree,
    broker,
    mqtt_plane,  # noqa: F811
    loop_thread,
    topic_root,
    flood,
    operator_a,
    django_capture_on_commit_callbacks,
):
    """The simulated clusters ack the drill, report it as one, and put a real one first."""
    capture = django_capture_on_commit_callbacks
    clusters = [make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a1)]
    secrets = {c.code: loudspeakers.issue_credentials(None, c) for c in clusters}
    broker.reload()
    harness = Harness(broker, topic_root)
    seen: list[dict] = []

    def build(cluster):
        device = Device(
            DeviceConfig(
                cluster.code,
                secrets[cluster.code],
                port=broker.port,
                root=topic_root,
                areas=area_chain(cluster.area.path),
                server_keys=signing.public_keys(),
                heartbeat_s=1,
                keepalive_s=2,
            ),
            player=NullPlayer(),
            cache=SimulatedCache(delay_s=(0.0, 0.01)),
            events=MemoryEvents(),
            state=MemoryState(),
        )
        original = device.emit

        def emit(kind, **fields):
            event = original(kind, **fields)
            seen.append(event)
            return event

        device.emit = emit
        return device

    devices = [loop_thread.call(build, c) for c in clusters]
    for d in devices:
        loop_thread.call(d.start)
    try:
        harness.pump(
            lambda: (
                ClusterStatus.objects.filter(cluster__in=clusters, online=True).count()
                == 2
            )
        )
        with capture(execute=True):
            drill = actions.start_drill(
                operator_a, areas=[tree.hamlet_a1], repeat=5, text="Thử loa."
            )
        drill_id = drill.item_id
        harness.pump(
            lambda: (
                Ack.objects.filter(
                    ref_type="emergency", ref=drill_id, status="ok"
                ).count()
                == 2
            )
        )
        harness.pump(lambda: all("started" in _kinds(c, drill_id) for c in clusters))
        status = live(drill)
        assert (status.targeted, status.acked) == (2, 2)
        drill_events = [e for e in seen if e.get("item") == drill_id]
        assert drill_events and all(e["drill"] is True for e in drill_events)

        # A real emergency for the whole commune: the drill gives way at once.
        with capture(execute=True):
            real = actions.start(
                operator_a, flood, areas=[tree.commune_a], repeat=5, text="Lũ về."
            )
        harness.pump(
            lambda: all(
                _reasons(c, drill_id, "preempted")
                and "started" in _kinds(c, real.item_id)
                for c in clusters
            )
        )
        drill.refresh_from_db()
        assert drill.state == State.PREEMPTED
        for c in clusters:
            # Cut as a drill, whichever came first: the real one, or the cancel.
            assert set(_reasons(c, drill_id, "preempted")) <= {
                "pre-empted",
                "cancelled",
            }
        assert not any(e.get("drill") for e in seen if e.get("item") == real.item_id)
        result = report(drill)
        assert (result.targeted, result.acknowledged, result.played) == (2, 2, 0)
        assert result.ack_p95_s is not None and result.problem_count == 2
        with capture(execute=True):
            actions.cancel(operator_a, real)
    finally:
        for d in devices:
            loop_thread.run(d.stop(graceful=False))
        harness.close()
