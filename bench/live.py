"""Live broadcast (issue 18): mouth-to-device latency, and CPU per listening device.

Everything real, on loopback: Mosquitto (``grassroots broker``), Icecast
(``grassroots icecast``), the web process (uvicorn, the microphone socket and
its ffmpeg), N reference agents (``Device`` with the real ``ProcessPlayer``)
and Chromium whose fake microphone plays a file of clicks (a 20 ms tone
every ``--period`` seconds, in silence). The page's microphone is tapped
(a ScriptProcessor on the same stream as the page's level meter) to stamp
each click as it is captured; each agent's player is ``_live_probe.py``,
which decodes the stream with ffmpeg (the same input options as the agent's
real player) and stamps each click as it comes out of the decoder. The
latency of a click is the device's stamp minus the browser's (one clock).

    .venv/bin/python bench/live.py --devices 10 --seconds 60

It prints p50/p99/max over every click heard by every device, and the CPU:
Icecast's per listening device, each device's decoder per second of audio,
and the web process (with its ffmpeg) per broadcast. Results go to
docs/benchmarks.md with the machine (``nproc``, load average).
"""

from __future__ import annotations

import argparse
import atexit
import math
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _django import setup_django  # noqa: E402

TAP = """
(() => {
  window.__clicks = [];
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    const context = new AudioContext();
    const source = context.createMediaStreamSource(stream);
    const tap = context.createScriptProcessor(256, 1, 1);
    const mute = context.createGain();
    mute.gain.value = 0;
    let quiet = 0;
    tap.onaudioprocess = (event) => {
      const data = event.inputBuffer.getChannelData(0);
      let peak = 0;
      for (let i = 0; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i]));
      if (peak >= 0.3 && quiet >= 0.5) { window.__clicks.push(Date.now() / 1000); quiet = 0; }
      else if (peak < 0.05) quiet += data.length / context.sampleRate;
      else quiet = 0;
    };
    source.connect(tap); tap.connect(mute); mute.connect(context.destination);
    return stream;
  };
})();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def clicks_wav(path: Path, seconds: float, period: float) -> None:
    """Write a 48 kHz mono WAV: silence with a 20 ms 2 kHz tone every ``period`` s."""
    rate = 48000
    frames = bytearray()
    tone = int(0.02 * rate)
    for n in range(int(seconds * rate)):
        t = n % int(period * rate)
        value = 0.9 * math.sin(2 * math.pi * 2000 * t / rate) if t < tone else 0.0
        frames += struct.pack("<h", int(value * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_of(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--period", type=float, default=4.0)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/gr_live_bench"
    )
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "")
    args = parser.parse_args()
    work = Path(args.data_dir or tempfile.mkdtemp(prefix="gr-live-bench-"))
    args.data_dir = str(work)
    ports = {
        "GRASSROOTS_PORT": free_port(),
        "GRASSROOTS_MQTT_PORT": free_port(),
        "GRASSROOTS_MQTT_SERVICE_PORT": free_port(),
        "GRASSROOTS_STREAM_PORT": free_port(),
    }
    os.environ.update({k: str(v) for k, v in ports.items()})
    web_port = ports["GRASSROOTS_PORT"]
    os.environ["GRASSROOTS_STREAM_HOOK_URL"] = f"http://127.0.0.1:{web_port}"
    os.environ["GRASSROOTS_BASE_URL"] = f"http://127.0.0.1:{web_port}"
    os.environ["GRASSROOTS_MQTT_TOPIC_ROOT"] = "gr"
    os.environ.pop("MQTT_URL", None)
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # made meanwhile are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    setup_django(args)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from grassroots.loudspeakers import actions as loudspeakers
    from grassroots.loudspeakers import signing
    from grassroots.loudspeakers.tests.factories import make_cluster
    from grassroots.testing import make_tree, make_user

    tree = make_tree()
    operator = make_user("operator", tree.commune_a, username="bench.live")
    clusters = [make_cluster(tree.hamlet_a1) for _ in range(args.devices)]
    secrets_ = {c.code: loudspeakers.issue_credentials(None, c) for c in clusters}
    client = Client()
    client.force_login(operator)
    cookie = client.cookies["sessionid"].value

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE")
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    processes: dict[str, subprocess.Popen] = {}

    def spawn(name: str, argv: list[str]) -> None:
        processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            argv,
            env=env,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_all() -> None:
        for process in reversed(list(processes.values())):
            if process.poll() is None:
                process.terminate()
                process.wait(10)

    # Whatever happens below (a failure included), nothing is left running.
    atexit.register(stop_all)
    python = sys.executable
    spawn("broker", [python, "-m", "grassroots", "broker"])
    spawn("stream", [python, "-m", "grassroots", "icecast"])
    spawn(
        "web",
        [
            python,
            "-m",
            "uvicorn",
            "grassroots.asgi:application",
            "--port",
            str(web_port),
            "--no-access-log",
            "--lifespan",
            "off",
        ],
    )
    for port in ports.values():
        wait_port(port)

    from grassroots.loudspeakers.tests.conftest import LoopThread
    from grassroots_agent.cache import SimulatedCache
    from grassroots_agent.device import Device, DeviceConfig
    from grassroots_agent.player import ProcessPlayer
    from grassroots_agent.protocol import area_chain
    from grassroots_agent.store import MemoryEvents, MemoryState

    probe = str(ROOT / "bench" / "_live_probe.py")
    loop = LoopThread()
    devices = []
    for cluster in clusters:
        log = work / f"device-{cluster.code}.txt"
        player = ProcessPlayer(
            command=["true"],
            stream_command=[
                python,
                probe,
                "--log",
                str(log),
                "--",
                "{input_options}",
                "-rw_timeout",
                "{stall_us}",
                "-i",
                "{source}",
            ],
        )
        config = DeviceConfig(
            cluster.code,
            secrets_[cluster.code],
            port=ports["GRASSROOTS_MQTT_PORT"],
            areas=area_chain(cluster.area.path),
            server_keys=signing.public_keys(),
        )

        def build(config=config, player=player):
            return Device(
                config,
                player=player,
                cache=SimulatedCache(),
                events=MemoryEvents(),
                state=MemoryState(),
            )

        device = loop.call(build)
        loop.call(device.start)
        devices.append((device, log))
    deadline = time.monotonic() + 20
    while not all(d.online for d, _ in devices) and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"{sum(d.online for d, _ in devices)}/{len(devices)} devices online")

    wav = work / "clicks.wav"
    clicks_wav(wav, seconds=args.seconds + 30, period=args.period)
    from playwright.sync_api import sync_playwright

    from grassroots.live.models import LiveSession, State

    base = f"http://127.0.0.1:{web_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
            ],
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        context.add_init_script(TAP)
        page = context.new_page()
        page.goto(f"{base}/console/live/new/")
        page.locator("#live-areas input:checked").uncheck()
        page.locator("#live-areas label", has_text=tree.hamlet_a1.name).click()
        page.locator("button.live-big[type=submit]").click()
        page.wait_for_selector("[data-live-start]")
        page.click("[data-live-start]")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if LiveSession.objects.filter(state=State.ON_AIR).exists():
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the session did not go on the air: see " + str(logs))
        on_air = time.time()
        time.sleep(3)  # every device joins
        cpu_before = {n: cpu_of(p.pid) for n, p in processes.items()}
        measured_from = time.monotonic()
        time.sleep(args.seconds)
        cpu_after = {n: cpu_of(p.pid) for n, p in processes.items()}
        measured_s = time.monotonic() - measured_from
        spoken = page.evaluate("window.__clicks")
        page.click("[data-live-stop]")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if LiveSession.objects.filter(state=State.ENDED).exists():
                break
            time.sleep(0.2)
        time.sleep(2)
        browser.close()

    latencies: list[float] = []
    decoder_cpu: list[float] = []
    hearing = 0
    for _device, log in devices:
        if not log.exists():
            continue
        heard = []
        for line in log.read_text().splitlines():
            kind, *values = line.split()
            if kind == "click":
                heard.append(float(values[0]))
            elif kind == "cpu" and float(values[2]) > 0:
                decoder_cpu.append(float(values[0]) / float(values[2]))
        hearing += bool(heard)
        for stamp in heard:
            before = [s for s in spoken if s <= stamp and s >= on_air - 5]
            if before:
                latencies.append(stamp - max(before))
    for device, _log in devices:
        loop.run(device.stop(graceful=False))
    loop.stop()
    stop_all()

    load1, load5, _load15 = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load1:.2f} / {load5:.2f}")
    print(f"clicks spoken: {len(spoken)}; devices hearing: {hearing}/{len(devices)}")
    if not latencies:
        raise SystemExit("no click reached a device")
    print(
        f"mouth-to-device latency over {len(latencies)} clicks: "
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.0f} ms"
    )
    stream_cpu = cpu_after["stream"] - cpu_before["stream"]
    web_cpu = cpu_after["web"] - cpu_before["web"]
    print(
        f"Icecast: {stream_cpu / measured_s * 100:.2f} % of a core for "
        f"{hearing} listeners = {stream_cpu / measured_s / max(hearing, 1) * 100:.3f} "
        "% per listening device"
    )
    print(
        f"web process with its ffmpeg (one broadcast): "
        f"{web_cpu / measured_s * 100:.1f} % of a core"
    )
    if decoder_cpu:
        print(
            f"device decoder (ffmpeg, MP3 64 kbit/s to PCM): "
            f"{statistics.fmean(decoder_cpu) * 100:.2f} % of a core per device"
        )


if __name__ == "__main__":
    main()
