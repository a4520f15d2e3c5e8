"""The whole loop on a real broker: a bulletin scheduled to clusters, played by simulated
devices, reported by the gateway, and the report tells exactly who played it.

One cluster is offline at the scheduled time (its device never connects):
the report must say it did not play, and that it is offline.
"""

from __future__ import annotations

import pytest

from grassroots.dissemination import report
from grassroots.dissemination.models import ClusterCoverage
from grassroots.loudspeakers import actions, playables, signing
from grassroots.loudspeakers.models import ClusterStatus
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

from .builders import publish

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


def test_the_report_shows_exactly_the_clusters_that_played(
    tree,
    people,
    broker,
    mqtt_plane,  # noqa: F811
    loop_thread,
    topic_root,
    django_capture_on_commit_callbacks,
):
    bulletin = publish(people, tree.commune_a, title="Lịch cắt điện ngày mai")
    one = make_cluster(tree.hamlet_a1, code="E2E-A1")
    two = make_cluster(tree.hamlet_a2, code="E2E-A2")
    dark = make_cluster(tree.hamlet_a2, code="E2E-DARK")
    secrets = {c.code: actions.issue_credentials(None, c) for c in (one, two, dark)}
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
            cache=SimulatedCache(),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    # The third device stays unplugged: offline at the scheduled time.
    devices = [loop_thread.call(build, c) for c in (one, two)]
    for device in devices:
        loop_thread.call(device.start)
    try:

        def online(cluster) -> bool:
            status = ClusterStatus.objects.filter(cluster=cluster).first()
            return bool(status and status.online)

        harness.pump(lambda: online(one) and online(two))
        item_id = playables.bulletin_item_id(bulletin.pk, playables.PROGRAMME, "e2e")
        with django_capture_on_commit_callbacks(execute=True):
            actions.send_schedules(
                None,
                {
                    c: [item(item_id, start_in=2.0, title=bulletin.title)]
                    for c in (one, two, dark)
                },
            )

        def played(cluster) -> bool:
            return ClusterCoverage.objects.filter(
                bulletin=bulletin, cluster=cluster, finished=1
            ).exists()

        harness.pump(lambda: played(one) and played(two), timeout=30)
    finally:
        for device in devices:
            loop_thread.run(device.stop(graceful=False))
        harness.close()

    result = report.build(bulletin, None)
    outcomes = {c.code: c.outcome for c in result.clusters}
    assert outcomes == {
        "E2E-A1": report.PLAYED,
        "E2E-A2": report.PLAYED,
        "E2E-DARK": report.OFFLINE,
    }
    assert [c.finished for c in result.clusters if c.outcome == report.PLAYED] == [1, 1]
    assert (result.hamlets_heard, result.hamlets_targeted) == (2, 2)
    hamlet = next(h for h in result.hamlets if h.area_id == tree.hamlet_a2.pk)
    assert (hamlet.clusters_heard, hamlet.clusters_targeted) == (1, 2)
