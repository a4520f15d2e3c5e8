"""The device logic with no network: schedule, pre-emption, commands, replays, storage."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import json
import threading
import time

import pytest

from grassroots_agent import protocol as p
from grassroots_agent.cache import ChecksumMismatch, DiskCache, SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.store import FileState, MemoryEvents, MemoryState, SqliteEvents

from .keys import PUBLIC, sealed

T = p.Topics("gr")
AUDIO = {"url": "http://127.0.0.1:9/a.mp3", "sha256": "c" * 64, "duration_s": 0.3}


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 20))


def make(**kwargs) -> Device:
    device = Device(
        DeviceConfig("d1", "secret", areas=["82", "82/1"], server_keys=[PUBLIC]),
        player=kwargs.pop("player", NullPlayer()),
        cache=kwargs.pop("cache", SimulatedCache(delay_s=(0.0, 0.01))),
        events=kwargs.pop("events", MemoryEvents()),
        state=kwargs.pop("state", MemoryState()),
    )
    return device


def send(device, topic, message):
    device.handle(topic, sealed(topic, message))


def kinds(device, item=None):
    return [
        (
            e["kind"],
            e.get("item") or e.get("ref"),
            e.get("status") or e.get("reason", ""),
        )
        for e in device.events.pending(1000)
        if item is None or e.get("item") == item
    ]


def schedule(version, *items):
    now = time.time()
    return p.schedule(
        "d1", version, list(items), valid_from=now, valid_until=now + 3600
    )


def entry(item_id, start_in, **extra):
    return {
        "id": item_id,
        "priority": "normal",
        "audio": AUDIO,
        "start": p.now_iso(time.time() + start_in),
        **extra,
    }


def test_a_schedule_plays_on_time_with_no_network_and_is_acknowledged_once():
    async def scenario():
        device = make()
        send(
            device, T.schedule("d1"), schedule(1, entry("a", 0.2, repeat=2, gap_s=0.1))
        )
        send(
            device, T.schedule("d1"), schedule(1, entry("a", 0.2, repeat=2, gap_s=0.1))
        )
        await asyncio.sleep(1.3)
        return device

    device = run(scenario)
    assert kinds(device) == [
        ("ack", "1", "ok"),
        ("started", "a", ""),
        ("finished", "a", ""),
        ("started", "a", ""),
        ("finished", "a", ""),
    ]


def test_priority_and_emergency_pre_empt_and_what_was_cut_plays_again():
    async def scenario():
        device = make()
        send(
            device,
            T.command("d1"),
            p.command(
                "play_now",
                {
                    "item": {
                        "id": "long",
                        "priority": "normal",
                        "audio": {**AUDIO, "duration_s": 2},
                    }
                },
            ),
        )
        await asyncio.sleep(0.1)
        send(
            device,
            T.command("d1"),
            p.command(
                "play_now",
                {"item": {"id": "prio", "priority": "priority", "audio": AUDIO}},
            ),
        )
        await asyncio.sleep(0.1)
        emergency = {
            "id": "flood",
            "priority": "emergency",
            "audio": {**AUDIO, "duration_s": 5},
            "rev": 1,
            "started_at": p.now_iso(),
        }
        send(device, T.area_emergency("82"), p.emergencies(1, [emergency], area="82"))
        await asyncio.sleep(0.2)
        assert device.playout.playing()["item"] == "flood"
        send(device, T.area_emergency("82"), p.emergencies(2, [], area="82"))
        await asyncio.sleep(0.6)
        return device

    device = run(scenario)
    events = kinds(device)
    assert ("preempted", "long", "pre-empted") in events
    assert ("preempted", "prio", "pre-empted") in events
    assert ("ack", "flood", "ok") in events
    assert ("preempted", "flood", "cancelled") in events
    assert events.index(("preempted", "flood", "cancelled")) < len(events) - 1
    assert ("finished", "prio", "") in events


def test_an_emergency_sent_again_after_reconnection_does_not_replay():
    async def scenario():
        device = make()
        emergency = {
            "id": "storm",
            "priority": "emergency",
            "audio": AUDIO,
            "rev": 1,
            "started_at": p.now_iso(),
            "repeat": 1,
        }
        send(
            device, T.area_emergency("82/1"), p.emergencies(1, [emergency], area="82/1")
        )
        await asyncio.sleep(0.6)
        send(
            device, T.area_emergency("82/1"), p.emergencies(1, [emergency], area="82/1")
        )
        await asyncio.sleep(0.5)
        return device

    device = run(scenario)
    assert [k for k in kinds(device) if k[0] == "started"] == [("started", "storm", "")]
    assert device.playout.emergencies


def test_a_missed_item_is_reported_failed_not_dropped():
    async def scenario():
        device = make()
        send(
            device,
            T.schedule("d1"),
            schedule(1, entry("old", -3600), entry("recent", -5)),
        )
        await asyncio.sleep(1.3)
        return device

    events = kinds(run(scenario))
    assert ("failed", "old", "missed") in events
    assert ("finished", "recent", "") in events


def test_commands_run_once_and_expire():
    async def scenario():
        device = make()
        command = p.command("volume", {"level": 20})
        send(device, T.command("d1"), command)
        send(device, T.command("d1"), command)
        stale = p.command(
            "volume", {"level": 90}, issued_at=time.time() - 600, ttl_s=60
        )
        send(device, T.command("d1"), stale)
        send(device, T.area_command("82"), p.command("power", {"on": False}))
        send(
            device,
            T.command("d1"),
            p.command(
                "play_now", {"item": {"id": "x", "priority": "normal", "audio": AUDIO}}
            ),
        )
        await asyncio.sleep(0.8)
        return device, command, stale

    device, command, stale = run(scenario)
    assert device.volume == 20 and device.power == "off"
    acks = [
        (e["ref"], e["status"])
        for e in device.events.pending(100)
        if e["kind"] == "ack"
    ]
    assert (command["id"], "ok") in acks and (command["id"], "duplicate") in acks
    assert (stale["id"], "expired") in acks
    assert ("failed", "x", "power off") in kinds(device)


def test_an_older_schedule_is_refused_and_bad_messages_are_dropped():
    async def scenario():
        device = make()
        send(device, T.schedule("d1"), schedule(5))
        send(device, T.schedule("d1"), schedule(3))
        device.handle(T.command("d1"), b"{not json")
        device.handle(T.command("d1"), sealed(T.command("d1"), b"{not json"))
        device.handle(
            T.command("d1"), sealed(T.command("d1"), {"v": 2, "type": "command"})
        )
        send(device, T.schedule("d1"), {**schedule(9), "device": "someone-else"})
        device.handle(T.config("d1"), b"x" * 300_000)
        return device

    device = run(scenario)
    assert device.schedule["version"] == 5
    acks = [
        (e["ref"], e["status"])
        for e in device.events.pending(100)
        if e["kind"] == "ack"
    ]
    assert acks == [("5", "ok"), ("3", "rejected")]
    assert device.refusals.total == {
        "stale": 1,
        "unsigned": 2,
        "invalid": 2,
        "misaddressed": 1,
    }


def test_events_and_memory_survive_a_restart(tmp_path):
    events = SqliteEvents(tmp_path / "events.sqlite3")
    events.add({"id": "e1", "kind": "alarm", "at": p.now_iso(), "code": "overheat"})
    events.add({"id": "e1", "kind": "alarm", "at": p.now_iso(), "code": "overheat"})
    events.add({"id": "e2", "kind": "alarm", "at": p.now_iso(), "code": "overheat"})
    again = SqliteEvents(tmp_path / "events.sqlite3")
    assert len(again) == 2 and [e["id"] for e in again.pending(10)] == ["e1", "e2"]
    again.remove(["e1"])
    assert [e["id"] for e in SqliteEvents(tmp_path / "events.sqlite3").pending(10)] == [
        "e2"
    ]
    state = FileState(tmp_path / "state.json")
    state.data["volume"] = 42
    state.save()
    assert FileState(tmp_path / "state.json").data == {"volume": 42}


@pytest.fixture
def audio_server(tmp_path):
    (tmp_path / "good.mp3").write_bytes(b"ID3 audio bytes")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_audio_is_cached_by_hash_and_a_wrong_checksum_is_never_kept(
    tmp_path, audio_server
):
    cache = DiskCache(tmp_path / "cache", max_bytes=1024)
    good = hashlib.sha256(b"ID3 audio bytes").hexdigest()

    async def scenario():
        await cache.fetch(f"{audio_server}/good.mp3", good)
        with pytest.raises(ChecksumMismatch):
            await cache.fetch(f"{audio_server}/good.mp3", "0" * 64)
        with pytest.raises(OSError):
            await cache.fetch(f"{audio_server}/missing.mp3", "1" * 64)

    asyncio.run(scenario())
    assert cache.has(good) and cache.path(good).read_bytes() == b"ID3 audio bytes"
    assert not cache.has("0" * 64)
    assert [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()] == [good]


def test_the_device_waits_for_audio_then_plays_and_reports_a_failed_download(
    tmp_path, audio_server
):
    good = hashlib.sha256(b"ID3 audio bytes").hexdigest()

    async def scenario():
        device = make(cache=DiskCache(tmp_path / "cache"))
        item = {
            "id": "ok",
            "priority": "normal",
            "audio": {
                "url": f"{audio_server}/good.mp3",
                "sha256": good,
                "duration_s": 0.1,
            },
        }
        broken = {
            "id": "ko",
            "priority": "normal",
            "audio": {
                "url": f"{audio_server}/missing.mp3",
                "sha256": "2" * 64,
                "duration_s": 0.1,
            },
        }
        send(device, T.command("d1"), p.command("play_now", {"item": item}))
        send(device, T.command("d1"), p.command("play_now", {"item": broken}))
        await asyncio.sleep(1.0)
        return device

    events = kinds(run(scenario))
    assert ("finished", "ok", "") in events
    assert ("failed", "ko", "audio unavailable") in events
    assert any(k[0] == "alarm" for k in events)
    assert json.dumps(events)


def test_an_emergency_stops_by_itself_at_its_end_time():
    async def scenario():
        device = make()
        emergency = {
            "id": "storm",
            "priority": "emergency",
            "audio": {**AUDIO, "duration_s": 5},
            "rev": 1,
            "started_at": p.now_iso(),
            "expires_at": p.now_iso(time.time() + 0.5),
        }
        send(device, T.area_emergency("82"), p.emergencies(1, [emergency], area="82"))
        await asyncio.sleep(1.0)
        return device

    device = run(scenario)
    assert ("preempted", "storm", "expired") in kinds(device)
    assert device.playout.emergencies == {} and device.playout.current is None


def test_stop_cuts_what_plays_and_reports_what_waited_but_spares_an_emergency():
    async def scenario():
        device = make()
        for item_id in ("first", "second"):
            item = {
                "id": item_id,
                "priority": "normal",
                "audio": {**AUDIO, "duration_s": 5},
            }
            send(device, T.command("d1"), p.command("play_now", {"item": item}))
        await asyncio.sleep(0.2)
        stop = p.command("stop")
        send(device, T.command("d1"), stop)
        await asyncio.sleep(0.1)
        alert = {
            "id": "alert",
            "priority": "emergency",
            "audio": {**AUDIO, "duration_s": 5},
            "rev": 1,
            "started_at": p.now_iso(),
        }
        send(device, T.area_emergency("82"), p.emergencies(1, [alert], area="82"))
        await asyncio.sleep(0.2)
        send(device, T.command("d1"), p.command("stop"))
        await asyncio.sleep(0.1)
        return device, stop

    device, stop = run(scenario)
    events = {
        (e["kind"], e.get("item"), e.get("reason"), e.get("by"))
        for e in device.events.pending(100)
    }
    assert ("preempted", "first", "stopped", stop["id"]) in events
    assert ("failed", "second", "stopped", stop["id"]) in events
    assert device.playout.playing()["item"] == "alert"


def test_an_emergency_cancelled_while_its_audio_comes_never_plays():
    async def scenario():
        device = make(cache=SimulatedCache(delay_s=(0.3, 0.3)))
        alert = {
            "id": "alert",
            "priority": "emergency",
            "audio": {**AUDIO, "sha256": "d" * 64},
            "rev": 1,
            "started_at": p.now_iso(),
        }
        send(device, T.area_emergency("82"), p.emergencies(1, [alert], area="82"))
        await asyncio.sleep(0.1)
        send(device, T.area_emergency("82"), p.emergencies(2, [], area="82"))
        await asyncio.sleep(0.6)
        return device

    device = run(scenario)
    assert [k for k in kinds(device) if k[0] != "ack"] == []


def _emergency_item(item_id, duration_s=5.0, **extra):
    return {
        "id": item_id,
        "priority": "emergency",
        "audio": {**AUDIO, "duration_s": duration_s},
        "rev": 1,
        "started_at": p.now_iso(),
        **extra,
    }


def test_a_drill_cuts_a_programme_says_it_is_a_drill_and_a_real_emergency_cuts_it():
    """A drill airs like an emergency, is flagged in every report, and yields to a real one."""

    async def scenario():
        device = make()
        programme = {
            "id": "prio",
            "priority": "priority",
            "audio": {**AUDIO, "duration_s": 5},
        }
        send(device, T.command("d1"), p.command("play_now", {"item": programme}))
        await asyncio.sleep(0.1)
        drill = _emergency_item("drill:7", drill=True)
        send(device, T.area_emergency("82/1"), p.emergencies(1, [drill], area="82/1"))
        await asyncio.sleep(0.2)
        playing_drill = device.playout.playing()
        # The real emergency comes on the province's topic, the drill's
        # cancellation after it on the commune's.
        flood = _emergency_item("flood")
        send(device, T.area_emergency("82"), p.emergencies(1, [flood], area="82"))
        await asyncio.sleep(0.2)
        playing_flood = device.playout.playing()
        send(device, T.area_emergency("82/1"), p.emergencies(2, [], area="82/1"))
        await asyncio.sleep(0.1)
        device.conn = 1  # as if connected: a state message's numbering
        state = device._state(online=True, reason="change")
        return device, playing_drill, playing_flood, state

    device, playing_drill, playing_flood, state = run(scenario)
    assert playing_drill["item"] == "drill:7" and playing_drill["drill"] is True
    assert playing_flood["item"] == "flood" and "drill" not in playing_flood
    p.validate("state", state)
    assert state["playing"]["item"] == "flood"
    events = device.events.pending(100)
    drill_events = [e for e in events if e.get("item") == "drill:7"]
    assert [(e["kind"], e.get("reason")) for e in drill_events] == [
        ("started", None),
        ("preempted", "pre-empted"),
    ]
    assert all(e["drill"] is True for e in drill_events)
    assert not any("drill" in e for e in events if e.get("item") != "drill:7")
    assert ("preempted", "prio", "pre-empted") in kinds(device)
    p.validate(
        "events",
        {
            "v": 2,
            "type": "events",
            "device": "d1",
            "batch": "b1",
            "sent_at": p.now_iso(),
            "events": events,
        },
    )


def test_a_drill_never_cuts_a_real_emergency_and_waits_behind_it():
    async def scenario():
        device = make()
        flood = _emergency_item("flood", duration_s=0.5)
        send(device, T.area_emergency("82"), p.emergencies(1, [flood], area="82"))
        await asyncio.sleep(0.1)
        drill = _emergency_item("drill:8", duration_s=0.2, drill=True)
        send(device, T.area_emergency("82/1"), p.emergencies(1, [drill], area="82/1"))
        await asyncio.sleep(0.1)
        during = device.playout.playing()["item"]
        await asyncio.sleep(0.8)
        return device, during

    device, during = run(scenario)
    assert during == "flood"
    started = [k[1] for k in kinds(device) if k[0] == "started"]
    assert started == ["flood", "drill:8"]
    assert ("preempted", "flood", "pre-empted") not in kinds(device)


def test_a_drill_flag_that_is_not_a_boolean_is_refused():
    """Only the server's sealed ``"drill": true`` makes a drill; anything else is invalid."""

    async def scenario():
        device = make()
        item = _emergency_item("x", drill="yes")
        send(device, T.area_emergency("82"), p.emergencies(1, [item], area="82"))
        await asyncio.sleep(0.05)
        return device

    device = run(scenario)
    assert device.playout.emergencies == {}
    assert device.refusals.total.get("invalid") == 1


def test_a_simulated_download_failure_raises_an_alarm_but_no_warning(caplog):
    async def scenario():
        device = make(cache=SimulatedCache(failure_rate=1.0, delay_s=(0.0, 0.0)))
        loaded = await device._download(AUDIO)
        return device, loaded

    with caplog.at_level("DEBUG", logger="grassroots_agent"):
        device, loaded = run(scenario)
    assert loaded is False
    assert [e["code"] for e in device.events.pending(10)] == ["download_failed"]
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert "simulated download failure" in caplog.text


def test_a_real_download_failure_still_warns(tmp_path, audio_server, caplog):
    broken = {**AUDIO, "url": f"{audio_server}/missing.mp3"}

    async def scenario():
        device = make(cache=DiskCache(tmp_path / "cache"))
        return await device._download(broken)

    assert run(scenario) is False
    assert [r.levelname for r in caplog.records] == ["WARNING"]
