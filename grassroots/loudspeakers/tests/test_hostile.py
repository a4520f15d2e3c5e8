"""Someone with write access to the broker tries to command the loudspeakers, and fails.

A stolen service password, a broker that leaks, a rogue process on the
server: whoever can publish on device topics still cannot make a cluster
play, stop or change, because devices act only on messages sealed by the
installation's key for that very topic (protocol version 2). Against
Mosquitto, with the real gateway and the agent's device code, each attempt
below is refused, nothing plays, nothing is counted as played, the other
clusters go on as before, and the operator sees the refusals.
"""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from grassroots.accounts.roles import Role
from grassroots.loudspeakers import actions, plane, refusals, signing
from grassroots.loudspeakers.models import Ack, ClusterLog, ClusterStatus, PlayEvent
from grassroots.testing import make_user
from grassroots_agent import inbound
from grassroots_agent import protocol as p
from grassroots_agent import signing as seals
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.simulator import Behaviour, Fleet
from grassroots_agent.store import MemoryEvents, MemoryState

from .factories import make_cluster
from .test_end_to_end import Harness, mqtt_plane  # noqa: F401 - fixture

pytestmark = [pytest.mark.broker, pytest.mark.django_db]

AUDIO = {"url": "http://127.0.0.1:9/siren.mp3", "sha256": "e" * 64, "duration_s": 0.3}


def _siren(item_id: str) -> dict:
    return {"id": item_id, "priority": "normal", "audio": AUDIO}


def _emergency(item_id: str) -> dict:
    return {
        "id": item_id,
        "title": "Báo động giả",
        "priority": "emergency",
        "audio": AUDIO,
        "rev": 1,
        "started_at": p.now_iso(),
    }


def _forge(topic: str, message: dict, key: Ed25519PrivateKey) -> bytes:
    """Seal with the attacker's key under the server key's id."""
    body = p.encode(message)
    sealed = seals.seal(topic, body, [("x" * 16, key)], int(time.time() * 1000))
    return sealed.replace(b"x" * 16, signing.keys().current.kid.encode())


def _raw(topic: str, payload: bytes, retain: bool = False) -> None:
    """Publish bytes as they are, as whoever holds a service password could."""
    assert plane.get_plane().publish(topic, payload, qos=1, retain=retain, wait_s=5), (
        "the broker did not take the message"
    )


def _refused(cluster) -> dict[str, int]:
    totals: dict[str, int] = {}
    for data in (
        refusals.entries().filter(cluster=cluster).values_list("data", flat=True)
    ):
        totals[data["reason"]] = totals.get(data["reason"], 0) + data["count"]
    return totals


@pytest.mark.parametrize("broker", ["mosquitto"], indirect=True)
def test_forged_replayed_unsigned_and_misaddressed_messages_are_refused(
    tree,
    broker,
    mqtt_plane,  # noqa: F811
    loop_thread,
    topic_root,
    client,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # Every refusal its own alarm here (devices report one a minute per reason).
    monkeypatch.setattr(inbound, "ALARM_EVERY_S", 0.0)
    a, b = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_a2)
    c = make_cluster(tree.hamlet_b1)
    secrets = {x.code: actions.issue_credentials(None, x) for x in (a, b, c)}
    broker.reload()
    harness = Harness(broker, topic_root)
    topics = plane.topics()

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
            cache=SimulatedCache(delay_s=(0.0, 0.01)),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    def fleet_of_c():
        # The third cluster runs in the fleet simulator, as `make run` does.
        fleet = Fleet(
            [
                {
                    "id": c.code,
                    "secret": secrets[c.code],
                    "areas": area_chain(c.area.path),
                }
            ],
            host="127.0.0.1",
            port=broker.port,
            root=topic_root,
            behaviour=Behaviour(drops_per_hour=0, outages_per_hour=0, delay_factor=0),
            heartbeat_s=1,
            keepalive_s=5,
            server_keys=signing.public_keys(),
        )
        fleet.build()
        return fleet

    devices = {x.code: loop_thread.call(build, x) for x in (a, b)}
    fleet = loop_thread.call(fleet_of_c)
    for device in devices.values():
        loop_thread.call(device.start)
    loop_thread.run(fleet.start())
    device_a = devices[a.code]
    try:
        harness.pump(
            lambda: (
                ClusterStatus.objects.filter(cluster__in=[a, b, c], online=True).count()
                == 3
            )
        )
        hamlet_topic = topics.area_emergency(tree.hamlet_a1.url_path)

        # A genuine emergency plays, then is cancelled (the lists A holds).
        actions.publish_emergencies(tree.hamlet_a1, 100, [_emergency("real-alert")])
        harness.pump(
            lambda: PlayEvent.objects.filter(
                cluster=a, item="real-alert", kind="started"
            ).exists()
        )
        actions.publish_emergencies(tree.hamlet_a1, 200, [])
        harness.pump(
            lambda: PlayEvent.objects.filter(
                cluster=a, item="real-alert", kind="preempted", reason="cancelled"
            ).exists()
        )

        attacker = Ed25519PrivateKey.generate()
        mine = topics.command(a.code)
        # 1. A forged signature (the server's key id, another key's signature).
        _raw(
            mine,
            _forge(mine, p.command("play_now", {"item": _siren("forged")}), attacker),
        )
        # 2. The genuine list of rev 100, captured and replayed (retained).
        old_list = p.emergencies(
            100, [_emergency("real-alert")], area=tree.hamlet_a1.url_path
        )
        _raw(hamlet_topic, signing.seal(hamlet_topic, p.encode(old_list)), retain=True)
        # 3. An unsigned command.
        _raw(mine, p.encode(p.command("volume", {"level": 0})))
        # 4. Another area's emergency list, genuinely sealed for that area's
        #    topic, moved onto A's hamlet; and one sealed for A's hamlet topic
        #    that names the other area.
        other = tree.hamlet_b1.url_path
        theirs = p.emergencies(300, [_emergency("other-area")], area=other)
        _raw(
            hamlet_topic,
            signing.seal(topics.area_emergency(other), p.encode(theirs)),
        )
        _raw(hamlet_topic, signing.seal(hamlet_topic, p.encode(theirs)))
        # 5. B's genuine command moved onto A's topic.
        for_b = p.command("play_now", {"item": _siren("for-b")})
        _raw(mine, signing.seal(topics.command(b.code), p.encode(for_b)))

        expected = {"bad_signature": 1, "stale": 1, "unsigned": 1, "misaddressed": 3}
        harness.pump(lambda: _refused(a) == expected)
        assert device_a.refusals.total == expected

        # The other clusters heard nothing of it and still obey the server.
        with django_capture_on_commit_callbacks(execute=True):
            command = actions.send_command(
                None, "volume", {"level": 41}, area=tree.province
            )
        harness.pump(
            lambda: Ack.objects.filter(ref=str(command.id), status="ok").count() == 3
        )
        assert device_a.volume == 41
        assert _refused(b) == {} and _refused(c) == {}
        assert not ClusterLog.objects.filter(
            cluster__in=[b, c], data__code=refusals.CODE
        ).exists()
        assert (
            ClusterStatus.objects.filter(cluster__in=[a, b, c], online=True).count()
            == 3
        )

        # Nothing played, nothing counted as played, nothing acknowledged.
        time.sleep(1.0)
        harness.pump(lambda: True)
        assert not PlayEvent.objects.filter(
            item__in=["forged", "for-b", "other-area"]
        ).exists()
        assert list(
            PlayEvent.objects.filter(
                cluster=a, item="real-alert", kind="started"
            ).values_list("occurrence", flat=True)
        ) == [1], "the replayed list must not air the emergency again"
        assert (
            not Ack.objects.filter(cluster=a, ref_type="command", status="ok")
            .exclude(ref=str(command.id))
            .exists()
        )
        assert device_a.playout.emergencies == {}

        # The operator sees it: on the home page and on the cluster's page.
        client.force_login(make_user(Role.OPERATOR, tree.commune_a))
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert a.code in home and "gr-refusals-heading" in home
        page = client.get(reverse("loudspeakers_clusters:inspect", args=(a.pk,)))
        assert page.status_code == 200 and "gr-alert" in page.content.decode()
        assert refusals.counts([a.pk, b.pk, c.pk]) == {a.pk: 6}
    finally:
        for device in devices.values():
            loop_thread.run(device.stop(graceful=False))
        loop_thread.run(fleet.stop(graceful=False))
        harness.close()
