"""A live broadcast with the real parts: Chromium's microphone, uvicorn, ffmpeg,
Icecast, Mosquitto, the gateway, and the reference agent decoding the stream."""

from __future__ import annotations

import shutil

import pytest

from grassroots.accounts.models import AuditEntry
from grassroots.live.models import EndReason, LiveListener, LiveSession, State
from grassroots.loudspeakers import actions as loudspeakers
from grassroots.loudspeakers import signing
from grassroots.loudspeakers.models import PlayEvent
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.loudspeakers.tests.test_end_to_end import (  # noqa: F401 - fixture
    Harness,
    mqtt_plane,
)
from grassroots_agent.cache import SimulatedCache
from grassroots_agent.device import Device, DeviceConfig
from grassroots_agent.player import ProcessPlayer
from grassroots_agent.protocol import area_chain
from grassroots_agent.store import MemoryEvents, MemoryState

from .conftest import SAMPLE_RATE, decode, rms, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

#: Speech at a normal level is well above this; a silent or missing stream is not.
HEARD_RMS = 0.01


def _decoding_player(pcm_path) -> ProcessPlayer:
    """The agent's real player, decoding the stream to a PCM file instead of a speaker."""
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    return ProcessPlayer(
        command=[ffmpeg, "-nostdin", "-i", "{source}", "-f", "null", "-"],
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
            str(SAMPLE_RATE),
            "-y",
            str(pcm_path),
        ],
    )


def _kinds(cluster, item_id: str) -> set[str]:
    return set(
        PlayEvent.objects.filter(cluster=cluster, item=item_id).values_list(
            "kind", flat=True
        )
    )


def test_an_operator_speaks_from_the_browser_and_the_hamlet_hears_it(
    tree,
    operator_a,
    broker,
    mqtt_plane,  # noqa: F811
    loop_thread,
    topic_root,
    web,
    stream_server,
    speaking_browser,
    client,
    tmp_path,
    artifacts_dir,
):
    """Spoken words reach the agent's decoder; the end stops it; the recording holds them."""
    cluster = make_cluster(tree.hamlet_a1)
    secret = loudspeakers.issue_credentials(None, cluster)
    broker.reload()
    harness = Harness(broker, topic_root)
    pcm = tmp_path / "heard.pcm"

    def build():
        return Device(
            DeviceConfig(
                cluster.code,
                secret,
                port=broker.port,
                root=topic_root,
                areas=area_chain(cluster.area.path),
                server_keys=signing.public_keys(),
                heartbeat_s=1,
                keepalive_s=5,
            ),
            player=_decoding_player(pcm),
            cache=SimulatedCache(delay_s=(0.0, 0.01)),
            events=MemoryEvents(),
            state=MemoryState(),
        )

    device = loop_thread.call(build)
    loop_thread.call(device.start)
    page = None
    try:
        harness.pump(lambda: device.online)
        client.force_login(operator_a)
        context = speaking_browser.new_context(
            viewport={"width": 360, "height": 740}, locale="vi-VN"
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": web.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(f"{web.url}/console/live/new/")
        # The operator holds one commune: it is chosen already; they pick a hamlet.
        assert page.locator("#live-areas input:checked").count() == 1
        page.locator("#live-areas input:checked").uncheck()
        # The search folds accents: "ap mot" finds "Ấp Một" and hides the rest.
        page.fill("[data-live-filter]", "ap mot")
        assert page.locator("#live-areas label:visible").count() == 1
        page.locator("#live-areas label", has_text=tree.hamlet_a1.name).click()
        page.screenshot(path=f"{artifacts_dir}/live-start-360.png", full_page=True)
        page.locator("button.live-big[type=submit]").click()
        page.wait_for_selector("[data-live-start]")
        session = LiveSession.objects.get()
        assert session.state == State.READY
        page.click("[data-live-start]")
        wait_for(lambda: LiveSession.objects.get().state == State.ON_AIR)
        session = LiveSession.objects.get()
        # The device was told, verified the seal, joined the stream.
        harness.pump(lambda: "started" in _kinds(cluster, session.item_id))
        wait_for(
            lambda: LiveListener.objects.filter(
                session=session, device=cluster.code, left_at=None
            ).exists()
        )
        page.wait_for_selector("[data-testid=listening] .live-number:text('1')")
        wait_for(lambda: pcm.exists() and pcm.stat().st_size > SAMPLE_RATE * 2 * 4)
        page.screenshot(path=f"{artifacts_dir}/live-on-air-360.png", full_page=True)
        page.click("[data-live-stop]")
        wait_for(lambda: LiveSession.objects.get().state == State.ENDED)
        harness.pump(
            lambda: _kinds(cluster, session.item_id) & {"finished", "preempted"}
        )
        session = wait_for(
            lambda: (
                LiveSession.objects.filter(pk=session.pk).exclude(recording="").first()
            )
        )
    finally:
        if page is not None:
            page.context.close()
        loop_thread.run(device.stop(graceful=False))
        harness.close()

    assert session.end_reason == EndReason.OPERATOR
    heard = pcm.read_bytes()
    assert rms(heard) > HEARD_RMS, "no speech reached the device"
    recorded = decode(session.recording.path)
    assert len(recorded) > SAMPLE_RATE * 2 * 2  # more than two seconds
    assert rms(recorded) > HEARD_RMS, "the recording holds no speech"
    assert session.duration_s and session.duration_s > 2
    assert session.peak_listeners == 1
    assert set(
        AuditEntry.objects.filter(object_id=str(session.pk)).values_list(
            "action", flat=True
        )
    ) >= {"live.setup", "live.start", "live.end", "live.recorded"}
