"""The MQTT client and a small simulated fleet against the Mosquitto already running.

Topics live under a random root, so other users of that broker are never disturbed.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from urllib.parse import urlparse

import pytest

from grassroots_agent import protocol as p
from grassroots_agent.mqtt import Connection, Will
from grassroots_agent.simulator import Behaviour, Fleet

from .keys import PUBLIC, sealed

pytestmark = pytest.mark.broker


def test_publish_subscribe_and_last_will(mosquitto_url):
    url = urlparse(mosquitto_url)
    root = "t" + uuid.uuid4().hex[:10]

    async def scenario():
        heard = []
        listener = await Connection.open(
            url.hostname,
            url.port,
            client_id=root + "-l",
            on_message=lambda t, m, r: heard.append((t, m)),
        )
        assert await listener.subscribe([(f"{root}/#", 1)]) == [1]
        talker = await Connection.open(
            url.hostname,
            url.port,
            client_id=root + "-t",
            keepalive=1,
            will=Will(f"{root}/will", b"gone", retain=False),
            on_message=lambda *a: None,
        )
        await talker.publish(f"{root}/q1", b"one", 1)
        talker.publish(f"{root}/q0", b"zero", 0)
        await asyncio.sleep(0.2)
        talker.freeze()  # silent: the broker must notice by keepalive
        deadline = time.monotonic() + 5
        while (f"{root}/will", b"gone") not in heard and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        listener.disconnect()
        return heard

    heard = asyncio.run(scenario())
    assert heard[:2] == [(f"{root}/q1", b"one"), (f"{root}/q0", b"zero")]
    assert (f"{root}/will", b"gone") in heard


def test_one_area_command_reaches_and_is_acknowledged_by_the_whole_fleet(mosquitto_url):
    url = urlparse(mosquitto_url)
    root = "t" + uuid.uuid4().hex[:10]
    topics = p.Topics(root)
    specs = [
        {"id": f"sim-{i}", "secret": "x", "areas": ["82", f"82/{i % 3}"], "link": "4g"}
        for i in range(60)
    ]

    async def scenario():
        fleet = Fleet(
            specs,
            host=url.hostname,
            port=url.port,
            root=root,
            behaviour=Behaviour(drops_per_hour=0, outages_per_hour=0, delay_factor=0.2),
            heartbeat_s=30,
            server_keys=[PUBLIC],
        )
        acks: dict[str, float] = {}
        command = p.command("volume", {"level": 10})

        def on_message(topic, payload, retained):
            message = json.loads(payload)
            for event in message.get("events", []):
                if event["kind"] == "ack" and event["ref"] == command["id"]:
                    acks.setdefault(message["device"], time.monotonic())

        server = await Connection.open(
            url.hostname, url.port, client_id=root + "-srv", on_message=on_message
        )
        await server.subscribe([(topics.events("+"), 1)])
        await fleet.start()
        assert await fleet.wait_online(timeout=20) == len(specs)
        sent = time.monotonic()
        topic = topics.area_command("82")
        await server.publish(topic, sealed(topic, command), 1)
        deadline = sent + 10
        while len(acks) < len(specs) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await fleet.stop(graceful=True)
        server.disconnect()
        return acks, sent, fleet

    acks, sent, fleet = asyncio.run(scenario())
    assert len(acks) == len(specs)
    assert max(acks.values()) - sent < 2.0
    assert all(v.device.volume == 10 for v in fleet.devices)


def test_a_simulated_fleet_reports_a_drill_as_one_and_lets_a_real_emergency_cut_it(
    mosquitto_url,
):
    url = urlparse(mosquitto_url)
    root = "t" + uuid.uuid4().hex[:10]
    topics = p.Topics(root)
    specs = [
        {"id": f"sim-{i}", "secret": "x", "areas": ["82", "82/1"], "link": "4g"}
        for i in range(10)
    ]
    audio = {"url": "http://127.0.0.1:9/a.mp3", "sha256": "e" * 64, "duration_s": 30}

    def item(item_id, **extra):
        return {
            "id": item_id,
            "priority": "emergency",
            "audio": audio,
            "rev": 1,
            "started_at": p.now_iso(),
            **extra,
        }

    async def scenario():
        fleet = Fleet(
            specs,
            host=url.hostname,
            port=url.port,
            root=root,
            behaviour=Behaviour(
                drops_per_hour=0,
                outages_per_hour=0,
                delay_factor=0.1,
                download_failure_rate=0,
            ),
            server_keys=[PUBLIC],
        )
        events: list[tuple[str, dict]] = []

        def on_message(topic, payload, retained):
            message = json.loads(payload)
            events.extend((message["device"], e) for e in message.get("events", []))

        def started(item_id):
            return {
                d for d, e in events if e["kind"] == "started" and e["item"] == item_id
            }

        async def until(check, seconds=10):
            deadline = time.monotonic() + seconds
            while not check() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)

        server = await Connection.open(
            url.hostname, url.port, client_id=root + "-srv", on_message=on_message
        )
        await server.subscribe([(topics.events("+"), 1)])
        await fleet.start()
        assert await fleet.wait_online(timeout=20) == len(specs)
        commune = topics.area_emergency("82/1")
        drill = p.emergencies(1, [item("drill:1", drill=True)], area="82/1")
        await server.publish(commune, sealed(commune, drill), 1)
        await until(lambda: len(started("drill:1")) == len(specs))
        province = topics.area_emergency("82")
        real = p.emergencies(1, [item("flood")], area="82")
        await server.publish(province, sealed(province, real), 1)
        await until(lambda: len(started("flood")) == len(specs))
        await fleet.stop(graceful=True)
        server.disconnect()
        return events

    events = asyncio.run(scenario())
    drill_events = [e for _d, e in events if e.get("item") == "drill:1"]
    assert {e["kind"] for e in drill_events} == {"started", "preempted"}
    assert all(e["drill"] is True for e in drill_events)
    cut = {
        d for d, e in events if e.get("item") == "drill:1" and e["kind"] == "preempted"
    }
    assert len(cut) == len(specs)
    assert not any("drill" in e for _d, e in events if e.get("item") == "flood")
    acks = {d for d, e in events if e["kind"] == "ack" and e.get("ref") == "drill:1"}
    assert len(acks) == len(specs)
