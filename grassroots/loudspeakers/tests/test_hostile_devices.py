"""A device with valid credentials, acting as hostile or broken firmware would.

Against Mosquitto started on the generated configuration (the ``broker``
fixture), with the real gateway and the reference agent where what counts is
what plays and what is recorded. Each case is one of the findings of issue 14
that amqtt let through: unsubscribed retained messages, another device's
client id, wills on forbidden topics, oversized messages, reserved names,
revocations that did not apply, and a flood.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from grassroots.loudspeakers import actions, brokerfiles, credentials, plane, signing
from grassroots.loudspeakers.checks import cluster_codes
from grassroots.loudspeakers.gateway.ingest import RATE_BURST
from grassroots.loudspeakers.models import (
    Ack,
    BrokerSync,
    ClusterLog,
    ClusterStatus,
    LogKind,
    PlayEvent,
)
from grassroots.loudspeakers.tasks import retry_broker_refresh
from grassroots_agent import protocol
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.mqtt import (
    Connection,
    ConnectRefused,
    MqttError,
    Will,
    wait_closed,
)
from grassroots_agent.player import NullPlayer
from grassroots_agent.protocol import Topics, area_chain
from grassroots_agent.signing import body_of
from grassroots_agent.store import MemoryEvents, MemoryState

from .factories import events, item, make_cluster, play, state
from .test_end_to_end import Harness, mqtt_plane  # noqa: F401 - fixture

pytestmark = [pytest.mark.broker, pytest.mark.django_db]

QUIET_S = 1.0  # long enough for Mosquitto to deliver anything it would


async def _connect(
    broker, user, password, *, client_id=None, inbox=None, will=None, service=False
) -> Connection:
    return await Connection.open(
        "127.0.0.1",
        broker.service_port if service else broker.port,
        client_id=client_id or user or "anon",
        username=user,
        password=password,
        keepalive=10,
        will=will,
        on_message=(lambda t, p, r: inbox.append((t, p, r)))
        if inbox is not None
        else (lambda *a: None),
        timeout=5,
    )


async def _refused(broker, user, password, **kwargs) -> int:
    """Return the CONNACK refusal code (0 if the broker let the client in)."""
    try:
        connection = await _connect(broker, user, password, **kwargs)
    except ConnectRefused as exc:
        return exc.code
    connection.abort()
    return 0


@dataclass
class Fleet:
    a: object  # hamlet a1 (commune A)
    b: object  # hamlet a1 (commune A)
    c: object  # hamlet b1 (commune B)
    secrets: dict[str, str]
    t: Topics


@pytest.fixture
def fleet(tree, broker, mqtt_plane, topic_root, django_capture_on_commit_callbacks):  # noqa: F811
    clusters = [
        make_cluster(tree.hamlet_a1),
        make_cluster(tree.hamlet_a1),
        make_cluster(tree.hamlet_b1),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        secrets = {c.code: actions.issue_credentials(None, c) for c in clusters}
    return Fleet(*clusters, secrets=secrets, t=Topics(topic_root))


def _emergency(item_id: str, **extra) -> dict:
    return item(
        item_id, priority="emergency", rev=1, started_at=protocol.now_iso(), **extra
    )


def _agent(cluster, secret, broker, root) -> Device:
    return Device(
        DeviceConfig(
            cluster.code,
            secret,
            port=broker.port,
            root=root,
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


# 1. Retained messages, other devices' and other areas' topics ------------------------


def test_a_device_receives_nothing_it_did_not_subscribe_to_nor_others_topics(
    fleet, broker, loop_thread, tree, django_capture_on_commit_callbacks
):
    a, b, t = fleet.a, fleet.b, fleet.t
    province, commune_b = a.area.path.split("/")[0], tree.commune_b.url_path
    # Retained for others: B's schedule and config, commune B's emergency list.
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_schedule(None, b, [item("b-only", start_in=3600)])
    assert actions.publish_emergencies(
        tree.commune_b, 1, [_emergency("flood")], wait_s=2.0
    )
    own_config = t.config(a.code)

    async def scenario():
        inbox: list = []
        device = await _connect(broker, a.code, fleet.secrets[a.code], inbox=inbox)
        await asyncio.sleep(QUIET_S)
        unsubscribed = list(inbox)
        granted = await device.subscribe(
            [
                ("#", 1),
                (f"{t.root}/#", 1),
                (f"{t.base}/dev/+/schedule", 1),
                (t.schedule(b.code), 1),
                (t.config(b.code), 1),
                (t.command(b.code), 1),
                (t.area_emergency(commune_b), 1),
                (f"{t.base}/area/{province}/+/emergency", 1),
                ("$SYS/#", 1),
            ]
        )
        await asyncio.sleep(QUIET_S)
        device.disconnect()
        return unsubscribed, granted, [m[0] for m in inbox]

    unsubscribed, granted, heard = loop_thread.run(scenario())
    assert unsubscribed == [], "delivered without any subscription"
    # Mosquitto grants an MQTT 3.1.1 subscription and then delivers on it only
    # what the device may read: its own retained config, nothing of B or commune B.
    assert len(granted) == 9
    assert heard and set(heard) == {own_config}, heard


def test_another_communes_emergency_never_plays_even_on_reconnection(
    fleet, broker, loop_thread, topic_root, tree
):
    """The reference agent in commune A, connecting after commune B's emergency, airs nothing."""
    a, c = fleet.a, fleet.c
    harness = Harness(broker, topic_root)
    flood = _emergency("flood-b", duration_s=30)
    assert actions.publish_emergencies(tree.commune_b, 1, [flood], wait_s=2.0)
    agents = {
        cl.code: loop_thread.call(
            _agent, cl, fleet.secrets[cl.code], broker, topic_root
        )
        for cl in (a, c)
    }
    for agent in agents.values():
        loop_thread.call(agent.start)
    try:
        harness.pump(
            lambda: (
                Ack.objects.filter(
                    cluster=c, ref_type="emergency", status="ok"
                ).exists()
                and PlayEvent.objects.filter(cluster=c, item="flood-b").exists()
                and ClusterStatus.objects.filter(cluster=a, online=True).exists()
            )
        )
        # A reconnects (the finding: every reconnection aired it again).
        loop_thread.call(agents[a.code].unplug, True)
        harness.pump(
            lambda: not ClusterStatus.objects.get(cluster=a).online, timeout=30
        )
        loop_thread.call(agents[a.code].plug)
        harness.pump(lambda: ClusterStatus.objects.get(cluster=a).online)
        time.sleep(QUIET_S)
        harness.pump(lambda: True)
        assert not Ack.objects.filter(cluster=a, ref_type="emergency").exists()
        assert not PlayEvent.objects.filter(cluster=a).exists()
        assert ClusterStatus.objects.get(cluster=a).playing is None
    finally:
        for agent in agents.values():
            loop_thread.run(agent.stop(graceful=False))
        harness.close()


# 2. Another device's client id -----------------------------------------------------


def test_borrowed_credentials_under_another_devices_client_id_leave_it_untouched(
    fleet, broker, loop_thread
):
    a, b, t = fleet.a, fleet.b, fleet.t

    async def scenario():
        heard_by_b: list = []
        heard_by_impostor: list = []
        real_b = await _connect(broker, b.code, fleet.secrets[b.code], inbox=heard_by_b)
        await real_b.subscribe([(t.command(b.code), 1)])
        outcome = "refused"
        try:
            impostor = await _connect(
                broker,
                a.code,
                fleet.secrets[a.code],
                client_id=b.code,
                inbox=heard_by_impostor,
            )
        except ConnectRefused:
            impostor = None
        else:
            outcome = "rebound"
            # As far as the broker is concerned this is A: B's topics stay closed.
            await impostor.subscribe([(t.command(b.code), 1)])
        await asyncio.sleep(0.5)
        still_connected = real_b.is_open
        web = await _connect(
            broker,
            credentials.WEB,
            credentials.service_password(credentials.WEB),
            client_id="gr-web-test",
            service=True,
        )
        await web.publish(t.command(b.code), b"for-b", 1)
        await asyncio.sleep(QUIET_S)
        for connection in (real_b, impostor, web):
            if connection is not None:
                connection.disconnect()
        return outcome, still_connected, heard_by_b, heard_by_impostor

    outcome, still_connected, heard_by_b, heard_by_impostor = loop_thread.run(
        scenario()
    )
    assert outcome in ("refused", "rebound")
    assert still_connected, "B was knocked off by A's credentials under its id"
    assert [(topic, payload) for topic, payload, _r in heard_by_b] == [
        (t.command(b.code), b"for-b")
    ]
    assert heard_by_impostor == []


def test_each_listener_accepts_only_its_own_accounts(fleet, broker, loop_thread):
    a = fleet.a
    web = credentials.service_password(credentials.WEB)

    async def attempts():
        return {
            "device on the service listener": await _refused(
                broker, a.code, fleet.secrets[a.code], service=True
            ),
            "web on the device listener": await _refused(broker, credentials.WEB, web),
            "wrong password": await _refused(broker, a.code, "not-the-secret"),
            "another device's secret": await _refused(
                broker, a.code, fleet.secrets[fleet.b.code]
            ),
            "no credentials": await _refused(broker, None, None, client_id="x"),
            "web where it belongs": await _refused(
                broker, credentials.WEB, web, service=True, client_id="gr-web-1"
            ),
            "device where it belongs": await _refused(
                broker, a.code, fleet.secrets[a.code]
            ),
        }

    results = loop_thread.run(attempts())
    assert results.pop("web where it belongs") == 0
    assert results.pop("device where it belongs") == 0
    assert all(code in (4, 5) for code in results.values()), results


# 3. Wills -----------------------------------------------------------------------------


def test_a_will_on_a_topic_the_device_may_not_write_is_never_published(
    fleet, broker, loop_thread, tree
):
    a, b, t = fleet.a, fleet.b, fleet.t
    province = a.area.path.split("/")[0]
    forged = protocol.encode(
        protocol.emergencies(10**9, [_emergency("forged")], area=province)
    )

    async def scenario():
        heard_by_b: list = []
        real_b = await _connect(broker, b.code, fleet.secrets[b.code], inbox=heard_by_b)
        await real_b.subscribe(
            [(t.command(b.code), 1), (t.area_emergency(province), 1)]
        )
        for topic in (t.command(b.code), t.area_emergency(province)):
            try:
                hostile = await _connect(
                    broker,
                    a.code,
                    fleet.secrets[a.code],
                    will=Will(topic, forged, qos=1, retain=True),
                )
            except ConnectRefused:
                continue
            hostile.abort()  # no DISCONNECT: the broker would send the will now
            await asyncio.sleep(QUIET_S)
        # A device connecting later finds no retained forged list either.
        late: list = []
        c = await _connect(
            broker, fleet.c.code, fleet.secrets[fleet.c.code], inbox=late
        )
        await c.subscribe([(t.area_emergency(province), 1)])
        # Control: a will on the device's own state does reach the gateway.
        gateway_heard: list = []
        gateway = await _connect(
            broker,
            credentials.GATEWAY,
            credentials.service_password(credentials.GATEWAY),
            client_id="gr-gateway-test",
            inbox=gateway_heard,
            service=True,
        )
        await gateway.subscribe([(t.state(a.code), 1)])
        honest = await _connect(
            broker,
            a.code,
            fleet.secrets[a.code],
            will=Will(t.state(a.code), b'{"will": true}', qos=1, retain=True),
        )
        honest.abort()
        await asyncio.sleep(QUIET_S)
        for connection in (real_b, c, gateway):
            connection.disconnect()
        return heard_by_b, late, gateway_heard

    heard_by_b, late, gateway_heard = loop_thread.run(scenario())
    assert heard_by_b == []
    assert late == []
    assert (t.state(a.code), b'{"will": true}') in [
        (x, p) for x, p, _r in gateway_heard
    ]


# 4. Size ------------------------------------------------------------------------------


def test_a_one_mebibyte_publish_is_refused_and_not_retained(fleet, broker, loop_thread):
    a, t = fleet.a, fleet.t
    huge = b"x" * (1024 * 1024)

    async def scenario():
        device = await _connect(broker, a.code, fleet.secrets[a.code])
        try:
            ack = device.publish(t.state(a.code), huge, 1, True)
            await asyncio.wait_for(ack, 5)
        except (MqttError, TimeoutError, asyncio.CancelledError):
            pass
        await wait_closed(device, 5)
        closed = device.closed
        heard: list = []
        gateway = await _connect(
            broker,
            credentials.GATEWAY,
            credentials.service_password(credentials.GATEWAY),
            client_id="gr-gateway-test",
            inbox=heard,
            service=True,
        )
        await gateway.subscribe([(t.state(a.code), 1)])
        await asyncio.sleep(QUIET_S)
        gateway.disconnect()
        return closed, heard

    closed, heard = loop_thread.run(scenario())
    assert closed, "the broker kept a client that sent 1 MiB"
    assert heard == [], "the oversized message was retained or delivered"


def test_the_web_process_never_sends_more_than_a_device_accepts(fleet, broker):
    t = fleet.t
    too_big = b"x" * (protocol.MAX_MESSAGE_BYTES + 1)
    assert plane.publish(t.command(fleet.a.code), too_big, wait_s=2.0) is False
    # The connection is still good for everything else.
    assert plane.publish(t.command(fleet.a.code), {"ok": 1}, wait_s=2.0) is True


def test_a_device_message_over_64_kib_is_dropped_and_raises_an_alarm(
    fleet, broker, loop_thread, topic_root
):
    """The broker lets it through (one limit for all listeners); the gateway does not.

    Its size lies between the gateway's limit and the broker's packet limit, which
    newer Mosquitto (2.0.21, Debian 13) enforces on what devices send: anything
    bigger is cut off by the broker itself (the one-mebibyte test above).
    """
    a, t = fleet.a, fleet.t
    harness = Harness(broker, topic_root)
    padding = protocol.MAX_MESSAGE_BYTES + 256 - len(protocol.encode(state(a.code)))
    bulky = state(a.code, firmware="x" * padding)
    size = len(protocol.encode(bulky))
    assert protocol.MAX_MESSAGE_BYTES < size < brokerfiles.MAX_PACKET_BYTES - 512

    async def send():
        device = await _connect(broker, a.code, fleet.secrets[a.code])
        await device.publish(t.state(a.code), protocol.encode(bulky), 1)
        device.disconnect()

    try:
        loop_thread.run(send())
        harness.pump(lambda: harness.gateway.ingest.counts["dropped_oversized"] == 1)
        harness.pump(
            lambda: ClusterLog.objects.filter(
                cluster=a, kind=LogKind.ALARM, data__code="dropped_messages"
            ).exists()
        )
        assert not ClusterStatus.objects.filter(
            cluster=a, firmware__startswith="x"
        ).exists()
    finally:
        harness.close()


# 5. Reserved names --------------------------------------------------------------------


def test_a_cluster_named_like_a_service_gets_no_broker_account(
    tree, broker, loop_thread, django_capture_on_commit_callbacks
):
    """Rows older than the rule: left out of the files, listed by the database check."""
    squatters = [
        make_cluster(tree.hamlet_a1, code="gr-web"),
        make_cluster(tree.hamlet_a1, code="GR-Gateway"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        secrets = {c.code: actions.issue_credentials(None, c) for c in squatters}
    passwd = (broker.directory / brokerfiles.PASSWD).read_text()
    assert "gr-web" not in passwd.lower() and "gr-gateway" not in passwd.lower()
    [problem] = cluster_codes(None)
    assert problem.id == "loudspeakers.E001" and "GR-Gateway" in problem.msg

    async def attempts():
        return (
            await _refused(broker, "gr-web", secrets["gr-web"]),
            await _refused(broker, "gr-web", secrets["gr-web"], service=True),
            await _refused(
                broker,
                credentials.WEB,
                credentials.service_password(credentials.WEB),
                service=True,
                client_id="gr-web-1",
            ),
        )

    squatter_on_devices, squatter_on_services, real_web = loop_thread.run(attempts())
    assert squatter_on_devices in (4, 5) and squatter_on_services in (4, 5)
    assert real_web == 0


def test_reserved_codes_are_refused_wherever_a_cluster_is_registered(tree, outbox):
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    for code in ("gr-web", "gr-gateway", "GR-anything", "gr-probe"):
        with pytest.raises(ValidationError):
            actions.add_cluster(None, commune=tree.commune_a.code, code=code)
        with pytest.raises(CommandError, match="gr-"):
            call_command("clusters", "add", code, "--commune", tree.commune_a.code)
    for code in ("$SYS", "a/b", "a+b", "#", "a b"):
        with pytest.raises(ValidationError):
            actions.add_cluster(None, commune=tree.commune_a.code, code=code)
    assert cluster_codes(None) == []


# 6. Revocation ------------------------------------------------------------------------


def test_a_revoked_secret_is_refused_once_the_revocation_commits(
    fleet, broker, loop_thread, django_capture_on_commit_callbacks
):
    """No waiting: the commit's refresh signals the broker and confirms it reloaded."""
    a = fleet.a
    device = loop_thread.run(_connect(broker, a.code, fleet.secrets[a.code]))
    with django_capture_on_commit_callbacks(execute=True):
        actions.revoke_credentials(None, a)
    assert BrokerSync.current().failing_since is None
    assert loop_thread.run(_refused(broker, a.code, fleet.secrets[a.code])) in (4, 5)
    # The open connection was closed by the reload, not left to speak.
    loop_thread.run(wait_closed(device, 2.0))
    assert device.closed
    # The others are untouched.
    assert (
        loop_thread.run(_refused(broker, fleet.b.code, fleet.secrets[fleet.b.code]))
        == 0
    )


def test_a_failed_reload_is_shown_to_administrators_and_retried(
    fleet, broker, loop_thread, settings, client, django_capture_on_commit_callbacks
):
    from grassroots.accounts.roles import Role
    from grassroots.testing import make_user

    a = fleet.a
    settings.GRASSROOTS_BROKER_RELOAD_COMMAND = "false"
    with django_capture_on_commit_callbacks(execute=True):
        actions.revoke_credentials(None, a)
    sync = BrokerSync.current()
    assert sync.failing_since is not None and "false" in sync.problem
    admin = make_user(Role.ADMINISTRATOR, a.area.parent)
    operator = make_user(Role.OPERATOR, a.area.parent)
    client.force_login(admin)
    assert "gr-broker-heading" in client.get("/console/").content.decode()
    client.force_login(operator)
    assert "gr-broker-heading" not in client.get("/console/").content.decode()

    settings.GRASSROOTS_BROKER_RELOAD_COMMAND = ""
    retry_broker_refresh.call_local()
    assert BrokerSync.current().failing_since is None
    assert loop_thread.run(_refused(broker, a.code, fleet.secrets[a.code])) in (4, 5)
    client.force_login(admin)
    assert "gr-broker-heading" not in client.get("/console/").content.decode()


# Persistence ------------------------------------------------------------------------


def test_retained_messages_survive_a_broker_restart(
    fleet, broker, loop_thread, django_capture_on_commit_callbacks
):
    a, t = fleet.a, fleet.t
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_schedule(None, a, [item("kept", start_in=3600)])
    time.sleep(0.3)
    broker.stop()
    broker.start()

    async def fetch():
        inbox: list = []
        device = await _connect(broker, a.code, fleet.secrets[a.code], inbox=inbox)
        await device.subscribe([(t.schedule(a.code), 1)])
        await asyncio.sleep(QUIET_S)
        device.disconnect()
        return inbox

    [(topic, payload, retained)] = loop_thread.run(fetch())
    assert topic == t.schedule(a.code) and retained
    assert json.loads(body_of(payload))["items"][0]["id"] == "kept"


# 7. A flood ---------------------------------------------------------------------------


def test_a_flooding_device_is_cut_back_by_the_gateway_and_others_go_on(
    fleet, broker, loop_thread, topic_root, django_capture_on_commit_callbacks
):
    """2,000 messages in a few seconds from A: counted once, the rest dropped, B unaffected."""
    a, b, t = fleet.a, fleet.b, fleet.t
    harness = Harness(broker, topic_root)
    agent_b = loop_thread.call(_agent, b, fleet.secrets[b.code], broker, topic_root)
    loop_thread.call(agent_b.start)
    flood = 2000

    async def send():
        device = await _connect(broker, a.code, fleet.secrets[a.code])
        acks = [
            device.publish(
                t.events(a.code),
                protocol.encode(events(a.code, f"batch-{n}", [play("same-event")])),
                1,
            )
            for n in range(flood)
        ]
        await asyncio.gather(*acks)
        device.disconnect()

    try:
        harness.pump(
            lambda: ClusterStatus.objects.filter(cluster=b, online=True).exists()
        )
        flooding = asyncio.run_coroutine_threadsafe(send(), loop_thread.loop)
        # Meanwhile B is told to change its volume: it obeys and that is recorded.
        with django_capture_on_commit_callbacks(execute=True):
            command = actions.send_command(None, "volume", {"level": 41}, cluster=b)
        counts = harness.gateway.ingest.counts
        harness.pump(
            lambda: (
                flooding.done()
                and counts["received"] >= flood
                and Ack.objects.filter(
                    cluster=b, ref=str(command.id), status="ok"
                ).exists()
                and ClusterStatus.objects.get(cluster=b).volume == 41
            )
        )
        flooding.result()
        harness.pump(
            lambda: ClusterLog.objects.filter(
                cluster=a, kind=LogKind.ALARM, data__code="dropped_messages"
            ).exists()
        )
        assert counts["dropped_rate"] >= flood - RATE_BURST - 10
        assert PlayEvent.objects.filter(cluster=a, event_id="same-event").count() == 1
        # One alarm at once (the rest of the flood goes into the next summary).
        alarm = ClusterLog.objects.get(cluster=a, kind=LogKind.ALARM)
        assert alarm.data["counts"]["rate"] >= 1
        assert not ClusterLog.objects.filter(cluster=b, kind=LogKind.ALARM).exists()
        assert ClusterStatus.objects.get(cluster=b).online
    finally:
        loop_thread.run(agent_b.stop(graceful=False))
        harness.close()
