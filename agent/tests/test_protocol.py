"""Every message kind has a schema; examples that must pass and fail."""

import time

import pytest

from grassroots_agent import protocol as p

from .keys import PUBLIC

AUDIO = {"url": "https://x.vn/a/abc.mp3", "sha256": "a" * 64, "duration_s": 61.5}


def test_every_schema_compiles_and_builders_make_valid_messages():
    for kind in p.KINDS:
        p.validator(kind)
    p.validate("command", p.command("volume", {"level": 40}))
    p.validate("receipt", p.receipt("b1", ["e1", "e2"]))
    now = time.time()
    item = {
        "id": "i1",
        "priority": "priority",
        "audio": AUDIO,
        "start": p.now_iso(now),
        "repeat": 3,
        "gap_s": 60,
    }
    relay = {
        "id": "r1",
        "priority": "normal",
        "relay_url": "http://radio.vn/live",
        "duration_s": 900,
        "start": p.now_iso(now),
    }
    p.validate(
        "schedule",
        p.schedule("d1", 7, [item, relay], valid_from=now, valid_until=now + 172800),
    )
    emergency = {
        **item,
        "priority": "emergency",
        "rev": 2,
        "started_at": p.now_iso(now),
    }
    del emergency["start"]
    p.validate("emergency", p.emergencies(5, [emergency], area="82/28261"))
    p.validate("emergency", p.emergencies(6, [], device="d1"))
    p.validate(
        "config", p.config("d1", ["82", "82/28261"], rev=1, server_keys=[PUBLIC])
    )


@pytest.mark.parametrize(
    "kind,message",
    [
        (
            "command",
            {
                "v": 2,
                "type": "command",
                "id": "c",
                "action": "volume",
                "issued_at": p.now_iso(),
                "args": {"level": -1},
            },
        ),
        (
            "command",
            {
                "v": 2,
                "type": "command",
                "id": "c",
                "action": "selfdestruct",
                "issued_at": p.now_iso(),
            },
        ),
        (
            "command",
            {
                "v": 1,
                "type": "command",
                "id": "c",
                "action": "sync",
                "issued_at": p.now_iso(),
            },
        ),
        (
            "command",
            {
                "v": 2,
                "type": "command",
                "id": "c/../x",
                "action": "sync",
                "issued_at": p.now_iso(),
            },
        ),
        (
            "schedule",
            {
                "v": 2,
                "type": "schedule",
                "device": "d",
                "version": 0,
                "generated_at": p.now_iso(),
                "valid_from": p.now_iso(),
                "valid_until": p.now_iso(),
                "items": [],
            },
        ),
        (
            "schedule",
            {
                "v": 2,
                "type": "schedule",
                "device": "d",
                "version": 1,
                "generated_at": p.now_iso(),
                "valid_from": p.now_iso(),
                "valid_until": p.now_iso(),
                "items": [
                    {
                        "id": "i",
                        "priority": "normal",
                        "start": p.now_iso(),
                        "audio": {**AUDIO, "sha256": "nothex"},
                    }
                ],
            },
        ),
        (
            "schedule",
            {
                "v": 2,
                "type": "schedule",
                "device": "d",
                "version": 1,
                "generated_at": p.now_iso(),
                "valid_from": p.now_iso(),
                "valid_until": p.now_iso(),
                "items": [
                    {
                        "id": "i",
                        "priority": "normal",
                        "start": p.now_iso(),
                        "audio": {**AUDIO, "url": "file:///etc/passwd"},
                    }
                ],
            },
        ),
        (
            "state",
            {
                "v": 2,
                "type": "state",
                "device": "d",
                "boot": "b",
                "conn": 0,
                "ts": p.now_iso(),
                "online": True,
            },
        ),
        (
            "state",
            {
                "v": 2,
                "type": "state",
                "device": "d/x",
                "boot": "b",
                "conn": 1,
                "ts": p.now_iso(),
                "online": True,
            },
        ),
        (
            "events",
            {
                "v": 2,
                "type": "events",
                "device": "d",
                "batch": "b",
                "sent_at": p.now_iso(),
                "events": [
                    {
                        "id": "e",
                        "kind": "ack",
                        "at": p.now_iso(),
                        "ref": "c",
                        "ref_type": "command",
                    }
                ],
            },
        ),
        (
            "emergency",
            {
                "v": 2,
                "type": "emergency",
                "area": "82",
                "rev": 1,
                "at": p.now_iso(),
                "active": [
                    {
                        "id": "e",
                        "priority": "normal",
                        "audio": AUDIO,
                        "rev": 1,
                        "started_at": p.now_iso(),
                    }
                ],
            },
        ),
        # v2: a playable allows no field of its own invention ...
        (
            "command",
            {
                "v": 2,
                "type": "command",
                "id": "c",
                "action": "play_now",
                "issued_at": p.now_iso(),
                "args": {
                    "item": {
                        "id": "x",
                        "priority": "normal",
                        "audio": AUDIO,
                        "start": p.now_iso(),
                    }
                },
            },
        ),
        # ... nor does a schedule's item,
        (
            "schedule",
            {
                "v": 2,
                "type": "schedule",
                "device": "d",
                "version": 1,
                "generated_at": p.now_iso(),
                "valid_from": p.now_iso(),
                "valid_until": p.now_iso(),
                "items": [
                    {
                        "id": "i",
                        "priority": "normal",
                        "start": p.now_iso(),
                        "audio": AUDIO,
                        "loudness": 11,
                    }
                ],
            },
        ),
        # an emergency list names its area or its device,
        (
            "emergency",
            {"v": 2, "type": "emergency", "rev": 1, "at": p.now_iso(), "active": []},
        ),
        # a configuration carries the server's keys,
        (
            "config",
            {"v": 2, "type": "config", "device": "d", "rev": 1, "areas": ["82"]},
        ),
        (
            "config",
            {
                "v": 2,
                "type": "config",
                "device": "d",
                "rev": 1,
                "areas": ["82"],
                "server_keys": ["not a key"],
            },
        ),
        # and a refusal says why.
        (
            "events",
            {
                "v": 2,
                "type": "events",
                "device": "d",
                "batch": "b",
                "sent_at": p.now_iso(),
                "events": [
                    {
                        "id": "e",
                        "kind": "alarm",
                        "at": p.now_iso(),
                        "code": "message_refused",
                        "count": 1,
                    }
                ],
            },
        ),
    ],
)
def test_invalid_messages_are_refused(kind, message):
    with pytest.raises(p.ProtocolError):
        p.validate(kind, message)


def test_decode_refuses_size_json_and_type_problems():
    for payload, reason in [
        (b"x" * 300_000, "oversized"),
        (b"{bad", "malformed"),
        (b"[]", "malformed"),
        (b'{"type": "nope"}', "schema"),
    ]:
        with pytest.raises(p.ProtocolError) as caught:
            p.decode(None, payload)
        assert caught.value.reason == reason


def test_topics_and_area_chain():
    t = p.Topics("gr")
    assert p.area_chain("82/28261/H01/") == ["82", "82/28261", "82/28261/H01"]
    assert t.parse("gr/v2/area/82/28261/emergency") == ("area", "82/28261", "emergency")
    assert t.parse("gr/v2/dev/d1/cmd") == ("dev", "d1", "cmd")
    assert t.parse("gr/v1/dev/d1/cmd") is None
    assert t.parse("other/v2/dev/d1/cmd") is None
    assert len(t.device_inbound("d1", ["82", "82/1"])) == 8
