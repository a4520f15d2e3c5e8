"""The broker accepts a cluster only with its own credentials, and only on its own topics.

On a Mosquitto started with the files `grassroots broker` writes.
"""

from __future__ import annotations

import asyncio

import pytest

from grassroots.loudspeakers import actions, credentials
from grassroots_agent.mqtt import Connection, ConnectRefused
from grassroots_agent.protocol import Topics

from .factories import make_cluster

pytestmark = [pytest.mark.broker, pytest.mark.django_db]


async def _connect(broker, user, password, client_id=None, inbox=None):
    service = user in (credentials.WEB, credentials.GATEWAY)
    return await Connection.open(
        "127.0.0.1",
        broker.service_port if service else broker.port,
        client_id=client_id or user or "anon",
        username=user,
        password=password,
        keepalive=10,
        on_message=(lambda t, p, r: inbox.append((t, p)))
        if inbox is not None
        else (lambda *a: None),
        timeout=5,
    )


@pytest.fixture
def fleet(tree, broker, outbox):
    a = make_cluster(tree.hamlet_a1)
    b = make_cluster(tree.hamlet_b1)
    secrets = {c.code: actions.issue_credentials(None, c) for c in (a, b)}
    broker.reload()
    return a, b, secrets


def test_wrong_or_borrowed_or_missing_credentials_are_refused(
    fleet, broker, loop_thread
):
    a, b, secrets = fleet

    async def attempts():
        results = {}
        for name, user, password in [
            ("wrong password", a.code, "not-the-secret"),
            ("another device's secret", a.code, secrets[b.code]),
            ("unknown device", "nobody", secrets[a.code]),
            ("no credentials", None, None),
        ]:
            try:
                connection = await _connect(broker, user, password)
            except ConnectRefused as exc:
                results[name] = exc.code
            else:
                connection.abort()
                results[name] = 0
        good = await _connect(broker, a.code, secrets[a.code])
        good.disconnect()
        return results

    results = loop_thread.run(attempts())
    assert all(code in (4, 5) for code in results.values()), results


def test_a_device_cannot_touch_other_topics(fleet, broker, loop_thread, topic_root):
    """Device A hears only its own and its areas' topics, and cannot speak for B.

    (Mosquitto grants a forbidden MQTT 3.1.1 subscription and then delivers
    nothing on it: checked by what arrives.)
    """
    a, b, secrets = fleet
    t = Topics(topic_root)
    province = a.area.path.split("/")[0]

    async def scenario():
        heard_by_gateway: list = []
        heard_by_a: list = []
        gateway = await _connect(
            broker,
            credentials.GATEWAY,
            credentials.service_password(credentials.GATEWAY),
            inbox=heard_by_gateway,
        )
        await gateway.subscribe([(t.state("+"), 1)])
        web = await _connect(
            broker, credentials.WEB, credentials.service_password(credentials.WEB)
        )
        device = await _connect(broker, a.code, secrets[a.code], inbox=heard_by_a)
        granted = await device.subscribe(
            [
                (t.command(a.code), 1),
                (t.area_emergency(province), 1),
                (t.command(b.code), 1),
                (t.area_command(b.area.url_path), 1),
                (f"{t.base}/#", 1),
            ]
        )
        for topic in (
            t.command(a.code),
            t.area_emergency(province),
            t.command(b.code),
            t.area_command(b.area.url_path),
            t.schedule(b.code),
        ):
            await web.publish(topic, topic.encode(), 1)
        await device.publish(t.state(a.code), b'{"own": true}', 1)
        await device.publish(t.state(b.code), b'{"forged": true}', 1)
        await device.publish(t.command(b.code), b'{"forged": true}', 1)
        await asyncio.sleep(0.6)
        for connection in (device, web, gateway):
            connection.disconnect()
        return granted, [x for x, _ in heard_by_a], [x for x, _ in heard_by_gateway]

    granted, heard_by_a, heard_by_gateway = loop_thread.run(scenario())
    assert granted[:2] == [1, 1]
    assert sorted(set(heard_by_a)) == sorted(
        [t.command(a.code), t.area_emergency(province)]
    )
    assert t.state(a.code) in heard_by_gateway
    assert t.state(b.code) not in heard_by_gateway


def test_revoked_credentials_stop_working_after_reload(fleet, broker, loop_thread):
    a, _b, secrets = fleet
    actions.revoke_credentials(None, a)
    broker.reload()

    async def attempt():
        try:
            connection = await _connect(broker, a.code, secrets[a.code])
        except ConnectRefused as exc:
            return exc.code
        connection.abort()
        return 0

    assert loop_thread.run(attempt()) in (4, 5)
