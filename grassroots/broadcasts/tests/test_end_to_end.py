"""On a real broker with simulated devices: scheduled for tomorrow 06:00 in two
hamlets, the clusters there hold it in their schedule, and no others do."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grassroots.broadcasts import actions
from grassroots.broadcasts.models import ProgrammeItem, ProgrammeSchedule
from grassroots.loudspeakers import actions as fleet
from grassroots.loudspeakers import plane, playables, signing
from grassroots.loudspeakers.models import Cluster, ClusterStatus
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.loudspeakers.tests.test_end_to_end import Harness
from grassroots.testing import make_area, make_user
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


@pytest.fixture
def mqtt_plane(broker, settings):
    settings.GRASSROOTS_DEVICE_PLANE = "mqtt"
    settings.GRASSROOTS_MQTT_URL = broker.url
    plane.reset()
    yield
    plane.reset()


def test_a_bulletin_scheduled_for_tomorrow_reaches_only_the_two_hamlets(
    tree,
    broker,
    mqtt_plane,
    loop_thread,
    topic_root,
    bulletin_factory,
    django_capture_on_commit_callbacks,
):
    hamlet_a3 = make_area(tree.commune_a, name="Ấp Ba")
    operator = make_user("operator", tree.commune_a, username="phatthanh_e2e")
    targeted = [make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)]
    others = [make_cluster(hamlet_a3), make_cluster(tree.hamlet_b1)]
    clusters = targeted + others
    secrets = {c.code: fleet.issue_credentials(None, c) for c in clusters}
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
                keepalive_s=5,
            ),
            player=NullPlayer(),
            cache=SimulatedCache(),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    devices = {c.code: loop_thread.call(build, c) for c in clusters}
    for device in devices.values():
        loop_thread.call(device.start)
    try:
        harness.pump(
            lambda: ClusterStatus.objects.filter(online=True).count() == len(clusters)
        )
        bulletin = bulletin_factory(tree.commune_a, title="Lịch tiêm chủng tháng 7")
        with django_capture_on_commit_callbacks(execute=True):
            item = actions.save_item(
                operator,
                ProgrammeItem(
                    area=tree.commune_a, title=bulletin.title, bulletin=bulletin
                ),
            )
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with django_capture_on_commit_callbacks(execute=True):
            schedule = actions.save_schedule(
                operator,
                ProgrammeSchedule(
                    item=item,
                    area=tree.commune_a,
                    rule="once",
                    starts_on=tomorrow,
                    at=datetime.time(6, 0),
                ),
                target_areas=[tree.hamlet_a1, tree.hamlet_a2],
            )
        expected_id = playables.bulletin_item_id(bulletin.pk, "prog", schedule.pk)

        def held(code: str) -> list[str]:
            return [i["id"] for i in (devices[code].schedule or {}).get("items", [])]

        def in_sync() -> bool:
            return all(
                ClusterStatus.objects.get(cluster=c).schedule_version
                == Cluster.objects.get(pk=c.pk).schedule_version
                for c in targeted
            )

        harness.pump(
            lambda: all(held(c.code) == [expected_id] for c in targeted) and in_sync()
        )
        for c in targeted:
            [entry] = devices[c.code].schedule["items"]
            assert entry["start"].startswith(f"{tomorrow:%Y-%m-%d}T06:00:00")
            assert entry["start"].endswith("+07:00")
        for c in others:
            assert expected_id not in held(c.code)
    finally:
        for device in devices.values():
            loop_thread.run(device.stop(graceful=False))
        harness.close()
