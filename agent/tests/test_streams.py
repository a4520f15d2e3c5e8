"""Streams on the device: live broadcasts and relays, played for real, given up on a stall."""

from __future__ import annotations

import array
import asyncio
import math
import os
import shutil
import subprocess
import time

import pytest

from grassroots_agent import protocol as p
from grassroots_agent.player import NullPlayer, ProcessPlayer
from grassroots_agent.stream import source_url

from .keys import sealed
from .test_device import AUDIO, T, kinds, make, run

LIVE = {"url": "http://127.0.0.1:9/live-1.mp3", "token": "t" * 24, "format": "mp3"}


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg is not installed; CI=true requires it")
        pytest.skip("ffmpeg is not installed")
    return found


async def _serve(chunks: list[bytes], pause_s: float, then_stall_s: float = 0.0):
    """Serve one HTTP stream of ``chunks``, one every ``pause_s``; optionally hang after."""

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n")
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(pause_s)
        await asyncio.sleep(then_stall_s)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _tone_mp3(seconds: float) -> bytes:
    return subprocess.run(  # noqa: S603
        [
            _ffmpeg(),
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-f",
            "mp3",
            "pipe:1",
        ],
        check=True,
        capture_output=True,
    ).stdout


def _rms(pcm: bytes) -> float:
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples))) / 32768


def test_the_device_asks_for_the_stream_with_its_token_and_its_id():
    item = {"id": "live:1", "priority": "normal", "live": LIVE}
    assert source_url(item, "28261-H01-1") == (
        f"{LIVE['url']}?token={LIVE['token']}&device=28261-H01-1"
    )
    item["live"] = {**LIVE, "url": LIVE["url"] + "?x=1"}
    assert "?x=1&token=" in source_url(item, "d1")


def test_a_live_item_is_valid_only_in_play_now_and_only_with_its_fields():
    item = {"id": "live:1", "priority": "emergency", "live": LIVE}
    p.validate("command", p.command("play_now", {"item": item}))
    with pytest.raises(p.ProtocolError):
        p.validate(
            "command",
            p.command("play_now", {"item": {**item, "live": {**LIVE, "x": 1}}}),
        )
    now = time.time()
    with pytest.raises(p.ProtocolError):
        p.validate(
            "schedule",
            p.schedule(
                "d1",
                1,
                [{**item, "start": p.now_iso(now)}],
                valid_from=now,
                valid_until=now + 60,
            ),
        )


def test_the_simulator_listens_to_the_end_and_gives_up_a_stalled_stream():
    """The simulated device really reads the stream (the server counts it)."""

    async def scenario():
        outcomes = []
        player = NullPlayer(listen=True)
        item = {"id": "live:1", "priority": "normal", "live": {**LIVE, "stall_s": 1}}
        server, port = await _serve([b"x" * 1000] * 5, 0.05)
        player.play(
            item,
            None,
            70,
            lambda ok, why: outcomes.append((ok, why)),
            stream=f"http://127.0.0.1:{port}/live-1.mp3?token=t",
        )
        await asyncio.sleep(1.0)
        stalled, port2 = await _serve([b"y" * 500], 0.0, then_stall_s=5)
        player.play(
            item,
            None,
            70,
            lambda ok, why: outcomes.append((ok, why)),
            stream=f"http://127.0.0.1:{port2}/live-1.mp3",
        )
        await asyncio.sleep(2.0)
        server.close()
        stalled.close()
        return player, outcomes

    player, outcomes = run(scenario)
    assert outcomes[0] == (True, "")
    assert outcomes[1][0] is False and "stalled" in outcomes[1][1]
    assert player.stream_bytes == 5500


def test_a_relay_is_decoded_for_real_and_ends_with_its_slot(tmp_path):
    """The agent's real player fetches and decodes the upstream stream."""
    ffmpeg = _ffmpeg()
    mp3 = _tone_mp3(6)
    pcm = tmp_path / "heard.pcm"
    player = ProcessPlayer(
        command=[ffmpeg, "-i", "{source}", "-f", "null", "-"],
        stream_command=[
            ffmpeg,
            "-nostdin",
            "-loglevel",
            "error",
            "{input_options}",
            "-rw_timeout",
            "{stall_us}",
            "-i",
            "{source}",
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            "16000",
            "-y",
            str(pcm),
        ],
    )

    async def scenario():
        outcomes = []
        # One second of MP3 every second: as an upstream station sends it.
        step = len(mp3) // 6
        server, port = await _serve(
            [mp3[i : i + step] for i in range(0, len(mp3), step)], 1.0
        )
        item = {
            "id": "relay:1:1",
            "priority": "normal",
            "relay_url": f"http://127.0.0.1:{port}/vov1.mp3",
            "duration_s": 2.5,
        }
        started = time.monotonic()
        player.play(item, None, 70, lambda ok, why: outcomes.append((ok, why)))
        while not outcomes and time.monotonic() - started < 15:
            await asyncio.sleep(0.1)
        server.close()
        return outcomes, time.monotonic() - started

    outcomes, took = run(scenario)
    assert outcomes == [(True, "")]
    assert took < 6  # cut at its slot, not played to the stream's end
    assert _rms(pcm.read_bytes()) > 0.05  # ffmpeg's sine: amplitude 1/8


def test_a_live_emergency_cuts_a_recorded_emergency_and_stop_ends_it():
    async def scenario():
        device = make()
        emergency = {
            "id": "flood",
            "priority": "emergency",
            "audio": {**AUDIO, "duration_s": 5},
            "rev": 1,
            "started_at": p.now_iso(),
        }
        device.handle(
            T.area_emergency("82"),
            sealed(T.area_emergency("82"), p.emergencies(1, [emergency], area="82")),
        )
        await asyncio.sleep(0.1)
        live = {"id": "live:7", "priority": "emergency", "live": LIVE, "repeat": 3}
        command = p.command("play_now", {"item": live})
        device.handle(T.command("d1"), sealed(T.command("d1"), command))
        await asyncio.sleep(0.1)
        assert device.playout.playing()["item"] == "live:7"
        stop = p.command("stop", {"item": "live:7"})
        device.handle(T.command("d1"), sealed(T.command("d1"), stop))
        await asyncio.sleep(0.1)
        return device

    device = run(scenario)
    events = kinds(device)
    assert ("preempted", "flood", "pre-empted") in events
    assert ("preempted", "live:7", "stopped") in events
    # The recording resumes after the voice; the live item is not repeated.
    assert device.playout.playing()["item"] == "flood"
    assert [e for e in events if e[:2] == ("started", "live:7")] == [
        ("started", "live:7", "")
    ]


def test_a_normal_live_item_waits_behind_a_normal_programme():
    async def scenario():
        device = make()
        long = {"id": "long", "priority": "normal", "audio": {**AUDIO, "duration_s": 5}}
        device.handle(
            T.command("d1"),
            sealed(T.command("d1"), p.command("play_now", {"item": long})),
        )
        await asyncio.sleep(0.1)
        live = {"id": "live:8", "priority": "normal", "live": LIVE}
        device.handle(
            T.command("d1"),
            sealed(T.command("d1"), p.command("play_now", {"item": live})),
        )
        await asyncio.sleep(0.1)
        return device

    device = run(scenario)
    assert device.playout.playing()["item"] == "long"
    assert [j.item["id"] for j in device.playout.pending] == ["live:8"]
