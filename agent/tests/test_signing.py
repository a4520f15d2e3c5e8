"""Seals, and what a device refuses: unsigned, forged, misaddressed, stale messages."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grassroots_agent import protocol as p
from grassroots_agent import signing
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import NullPlayer
from grassroots_agent.signing import Keyring, Refused
from grassroots_agent.store import FileState, MemoryEvents, MemoryState

from .keys import KEY, KID, PUBLIC, sealed

T = p.Topics("gr")
AUDIO = {"url": "http://127.0.0.1:9/a.mp3", "sha256": "c" * 64, "duration_s": 0.3}
OTHER = Ed25519PrivateKey.generate()


def test_a_seal_opens_only_for_its_topic_its_key_and_its_bytes():
    topic = T.command("d1")
    body = p.encode(p.command("volume", {"level": 3}))
    payload = sealed(topic, body, iat=1_700_000_000_000)
    ring = Keyring([PUBLIC])
    opened = ring.open(topic, payload)
    assert (opened.body, opened.iat, opened.kid) == (body, 1_700_000_000_000, KID)
    header = json.loads(payload.split(b"\n", 1)[0])
    p.validate("seal", header)

    def reason(payload: bytes, ring: Keyring = ring, to: str = topic) -> str:
        with pytest.raises(Refused) as refused:
            ring.open(to, payload)
        return refused.value.reason

    assert reason(body) == "unsigned"
    assert reason(b"[1]\n" + body) == "unsigned"
    assert reason(payload, to=T.command("d2")) == "misaddressed"
    assert reason(payload, ring=Keyring([signing.key_text(OTHER)])) == "unknown_key"
    assert reason(payload.replace(b'"level":3', b'"level":9')) == "bad_signature"
    assert (
        reason(payload.replace(b"1700000000000", b"1700000000001")) == "bad_signature"
    )
    # The same kid with another key's signature is a forgery, not an unknown key.
    forged = sealed(topic, body, key=OTHER)
    forged = forged.replace(
        signing.key_id(signing.public_raw(OTHER)).encode(), KID.encode()
    )
    assert reason(forged) == "bad_signature"


def test_during_a_rotation_either_key_opens_the_seal():
    topic = T.schedule("d1")
    payload = signing.seal(
        topic,
        b"{}",
        [(KID, KEY), (signing.key_id(signing.public_raw(OTHER)), OTHER)],
        1,
    )
    assert Keyring([PUBLIC]).open(topic, payload).kid == KID
    assert Keyring([signing.key_text(OTHER)]).open(topic, payload).body == b"{}"


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 20))


def make(state=None, keys=(PUBLIC,)) -> Device:
    return Device(
        DeviceConfig(
            "d1", "secret", areas=["82", "82/1", "82/1/H1"], server_keys=list(keys)
        ),
        player=NullPlayer(),
        cache=SimulatedCache(delay_s=(0.0, 0.01)),
        events=MemoryEvents(),
        state=state or MemoryState(),
    )


def emergency_item(item_id: str = "flood") -> dict:
    return {
        "id": item_id,
        "priority": "emergency",
        "audio": AUDIO,
        "rev": 1,
        "started_at": p.now_iso(),
    }


def alarms(device: Device) -> list[tuple[str, int]]:
    return [
        (e["reason"], e["count"])
        for e in device.events.pending(1000)
        if e["kind"] == "alarm" and e["code"] == "message_refused"
    ]


def played(device: Device) -> list[str]:
    return [e["item"] for e in device.events.pending(1000) if e["kind"] == "started"]


def test_hostile_messages_are_refused_reported_and_never_played():
    async def scenario():
        device = make()
        play = p.command(
            "play_now", {"item": {"id": "x", "priority": "normal", "audio": AUDIO}}
        )
        mine = T.command("d1")
        # Unsigned, forged, signed by a key the device does not trust.
        device.handle(mine, p.encode(play))
        device.handle(mine, sealed(mine, play).replace(b'"x"', b'"y"'))
        device.handle(mine, sealed(mine, play, key=OTHER))
        # Sealed for another device, moved onto this one's topic.
        device.handle(mine, sealed(mine, play, to=T.command("d2")))
        # Another hamlet's emergency list: moved here, or naming that hamlet.
        hamlet = T.area_emergency("82/1/H1")
        other = p.emergencies(5, [emergency_item()], area="82/1/H2")
        device.handle(hamlet, sealed(hamlet, other, to=T.area_emergency("82/1/H2")))
        device.handle(hamlet, sealed(hamlet, other))
        # A topic the device never subscribed to (a broker that leaks).
        leaked = T.area_emergency("82/1/H2")
        device.handle(leaked, sealed(leaked, other))
        # A command sealed two hours ago.
        device.handle(mine, sealed(mine, play, iat=int((time.time() - 7200) * 1000)))
        await asyncio.sleep(0.3)
        at_once = alarms(device)
        device.refusals.close()
        return device, at_once

    device, at_once = run(scenario)
    assert played(device) == []
    assert device.playout.emergencies == {}
    assert device.refusals.total == {
        "unsigned": 1,
        "bad_signature": 1,
        "unknown_key": 1,
        "misaddressed": 4,
        "stale": 1,
    }
    # One alarm per reason at once; repeats within the minute wait and are counted.
    assert sorted(at_once) == [
        ("bad_signature", 1),
        ("misaddressed", 1),
        ("stale", 1),
        ("unknown_key", 1),
        ("unsigned", 1),
    ]
    assert ("misaddressed", 3) in alarms(device)
    p.validate(
        "events",
        {
            "v": 2,
            "type": "events",
            "device": "d1",
            "batch": "b",
            "sent_at": p.now_iso(),
            "events": device.events.pending(100),
        },
    )


def test_an_older_emergency_list_is_refused_even_after_a_reboot(tmp_path):
    topic = T.area_emergency("82/1")
    newer = p.emergencies(20, [], area="82/1")
    older = p.emergencies(10, [emergency_item("old-flood")], area="82/1")

    async def first():
        device = make(state=FileState(tmp_path / "state.json"))
        device.handle(topic, sealed(topic, newer))
        return device

    async def after_reboot():
        device = make(state=FileState(tmp_path / "state.json"))
        device.handle(topic, sealed(topic, older))
        device.handle(topic, sealed(topic, newer))  # the retained copy: fine
        await asyncio.sleep(0.3)
        return device

    run(first)
    device = run(after_reboot)
    assert device.refusals.total == {"stale": 1}
    assert played(device) == [] and device.playout.emergencies == {}


def test_new_keys_come_in_a_signed_configuration():
    new_key = Ed25519PrivateKey.generate()
    new_public = signing.key_text(new_key)

    async def scenario():
        device = make()
        topic = T.config("d1")
        both = p.config("d1", ["82", "82/1"], rev=1, server_keys=[PUBLIC, new_public])
        # Offered with the new key alone, the device cannot trust it yet.
        device.handle(topic, sealed(topic, both, key=new_key))
        assert device.refusals.total == {"unknown_key": 1}
        device.handle(topic, sealed(topic, both))
        volume = T.command("d1")
        device.handle(
            volume, sealed(volume, p.command("volume", {"level": 7}), key=new_key)
        )
        only_new = p.config("d1", ["82", "82/1"], rev=2, server_keys=[new_public])
        device.handle(topic, sealed(topic, only_new, key=new_key))
        device.handle(volume, sealed(volume, p.command("volume", {"level": 9})))
        device.handle(topic, sealed(topic, both, key=new_key))  # rev 1 again: stale
        return device

    device = run(scenario)
    assert device.volume == 7
    assert device.refusals.total == {"unknown_key": 2, "stale": 1}
    assert device.areas == ["82", "82/1"]
    assert T.area_emergency("82/1/H1") not in device.subscribed
    acks = [
        (e["ref_type"], e["ref"])
        for e in device.events.pending(100)
        if e["kind"] == "ack"
    ]
    assert acks == [("config", "1"), ("command", acks[1][1]), ("config", "2")]
    assert device.store.data["server_keys"] == [new_public]


def test_a_provisioning_file_with_other_keys_wins_over_the_keys_held():
    other = signing.key_text(OTHER)
    other_kid = signing.key_id(signing.public_raw(OTHER))

    async def kids(held: list[str], provisioned: list[str], keys: list[str]):
        state = MemoryState()
        state.data.update(server_keys=held, provisioned_keys=provisioned)
        return set(make(state=state, keys=keys).keyring.keys)

    # Keys from a signed configuration, while the file is the one they came with;
    assert asyncio.run(kids([other], [PUBLIC], [PUBLIC])) == {other_kid}
    # a file provisioned again since wins.
    assert asyncio.run(kids([other], ["another"], [PUBLIC])) == {KID}
