"""CAP in: from an alert's arrival to the operator's screen, and to the devices' acks.

    .venv/bin/python bench/cap.py [--devices 500] [--rounds 3]

Loads a fresh database (SQLite in a temporary folder) with a province (82)
of ``--communes`` communes of 10 hamlets, each hamlet with a point, and
starts a Mosquitto of its own and the fleet simulator (``--devices``
devices spread over those hamlets, realistic 4G delays), trusting the
installation's signing key.

1. *Draft*: a storm warning naming communes by code is pushed to
   ``POST /api/v1/cap/alerts`` (the whole Django stack, in process: key,
   size limit, defusedxml, schema, mapping, bulletin draft, audit), then the
   operator's "waiting" panel (``/console/cap/waiting/``, what the console
   polls every second) is fetched until it names the warning. The time
   printed is the push plus that fetch; the panel's poll adds at most
   ``POLL_S`` on the screen (printed as the bound).
2. *Automatic*: a flood alert whose event the source airs without a person
   (``emergency_auto``), drawn as a polygon over the whole province, is
   pushed; the bulletin is published, the emergency starts (speech rendered
   by the configured engine), the lists go out, and every device's ``ack``
   of the emergency is timed from the push.

Results go to docs/benchmarks.md (with the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _django import setup_django  # noqa: E402
from _fleet import (  # noqa: E402
    fleet_specs,
    free_port,
    machine,
    percentile,
    raise_nofile,
    start_simulator,
    write_credentials,
)

#: How often the console's waiting panel asks again (cap/index.html).
POLL_S = 1.0


def load(communes: int) -> None:
    from django.core.management import call_command

    from grassroots.areas.models import Area, Kind, Level

    call_command("migrate", verbosity=0)
    province = Area.objects.create(
        code="82",
        name="Đồng Tháp",
        kind=Kind.PROVINCE,
        level=Level.PROVINCE,
        path="82/",
    )
    made = Area.objects.bulk_create(
        Area(
            parent=province,
            code=f"{28000 + i}",
            name=f"Xã {i}",
            kind=Kind.COMMUNE,
            level=Level.COMMUNE,
            path=f"82/{28000 + i}/",
        )
        for i in range(communes)
    )
    Area.objects.bulk_create(
        Area(
            parent=commune,
            code=f"H{h:02d}",
            name=f"Ấp {h}",
            kind=Kind.HAMLET,
            level=Level.HAMLET,
            path=f"{commune.path}H{h:02d}/",
            latitude=10.2 + 0.01 * i,
            longitude=105.5 + 0.01 * h,
        )
        for i, commune in enumerate(made)
        for h in range(10)
    )


def cap_alert(identifier: str, event: str, areas: str) -> bytes:
    from django.utils import timezone

    now = timezone.localtime().replace(microsecond=0)
    later = now + timezone.timedelta(hours=6)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>{identifier}</identifier><sender>kttv@bench</sender>"
        f"<sent>{now.isoformat()}</sent><status>Actual</status>"
        "<msgType>Alert</msgType><scope>Public</scope><info>"
        "<language>vi-VN</language><category>Met</category>"
        f"<event>{event}</event><urgency>Immediate</urgency>"
        "<severity>Severe</severity><certainty>Observed</certainty>"
        f"<expires>{later.isoformat()}</expires>"
        f"<headline>{event} {identifier}</headline>"
        "<description>Mực nước sông Tiền vượt báo động III, còn lên.</description>"
        f"{areas}</info></alert>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--communes", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--connect-timeout", type=float, default=120)
    args = parser.parse_args()
    args.database = "sqlite"
    raise_nofile()
    with tempfile.TemporaryDirectory(prefix="gr-bench-cap-") as tmp:
        args.data_dir = tmp
        port = free_port()
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 100000\nmax_inflight_messages 0\n"
            "set_tcp_nodelay true\nlog_dest stderr\nlog_type error\n"
        )
        import shutil
        import subprocess

        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        broker = subprocess.Popen([binary, "-c", str(conf)])  # noqa: S603
        simulator = None
        try:
            simulator = run(args, port, Path(tmp))
        finally:
            if simulator is not None:
                simulator.terminate()
                simulator.wait(10)
            broker.terminate()
            broker.wait(5)


def run(args, port: int, tmp: Path):
    os.environ["GRASSROOTS_MQTT_URL"] = f"mqtt://127.0.0.1:{port}"
    setup_django(args)
    from django.conf import settings

    settings.GRASSROOTS_DEVICE_PLANE = "mqtt"
    settings.GRASSROOTS_MQTT_URL = f"mqtt://127.0.0.1:{port}"
    settings.ALLOWED_HOSTS = ["*"]
    root = "b" + uuid.uuid4().hex[:8]
    settings.GRASSROOTS_MQTT_TOPIC_ROOT = root

    import paho.mqtt.client as mqtt
    from django.test import Client

    from grassroots.areas.models import Area
    from grassroots.bulletins import actions as bulletins
    from grassroots.bulletins.models import Category
    from grassroots.cap import actions
    from grassroots.cap.models import Policy
    from grassroots.loudspeakers import plane, signing
    from grassroots.testing import make_user
    from grassroots_agent.protocol import Topics

    load(args.communes)
    province = Area.objects.get(path="82/")
    peer = bulletins.save_peer(None, name="KTTV bench", area=province)
    _key, secret = bulletins.issue_key(None, peer)
    actions.save_source(
        None,
        peer,
        category=Category.objects.get(slug="thien-tai"),
        policies={"Lũ": Policy.EMERGENCY_AUTO},
    )
    operator = make_user("operator", province, username="bench_operator")
    settings.GRASSROOTS_REQUIRE_2FA = False
    console = Client()
    console.force_login(operator)
    push = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    specs = fleet_specs(args.devices, communes=args.communes)
    credentials = tmp / "fleet.json"
    write_credentials(credentials, specs, port, root, signing.keys().public_keys)
    simulator = start_simulator(credentials, args.devices)

    topics = Topics(root)
    online: set[str] = set()
    acks: dict[str, float] = {}
    lock = threading.Lock()
    armed = [False]

    def on_message(client, userdata, message):
        payload = json.loads(message.payload)
        if "online" in payload:
            (online.add if payload["online"] else online.discard)(payload["device"])
            return
        if not armed[0]:
            return
        now = time.monotonic()
        for event in payload.get("events", ()):
            if event.get("kind") == "ack" and event.get("ref_type") == "emergency":
                with lock:
                    acks.setdefault(payload["device"], now)

    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-cap")
    listener.on_message = on_message
    listener.connect("127.0.0.1", port)
    listener.subscribe([(topics.state("+"), 1), (topics.events("+"), 1)])
    listener.loop_start()
    plane.get_plane()
    started = time.monotonic()
    while (
        len(online) < args.devices and time.monotonic() - started < args.connect_timeout
    ):
        time.sleep(0.5)
    print(machine())
    print(
        f"{len(online)} of {args.devices} devices online in "
        f"{time.monotonic() - started:.1f} s; engine {settings.GRASSROOTS_TTS_ENGINE}"
    )
    draft_times = []
    for n in range(1, args.rounds + 1):
        geocodes = "".join(
            f"<geocode><valueName>VN-MaDVHC-2025</valueName><value>{28000 + i}"
            "</value></geocode>"
            for i in range(min(3, args.communes))
        )
        raw = cap_alert(
            f"BAO-{n}", "Bão", f"<area><areaDesc>3 xã</areaDesc>{geocodes}</area>"
        )
        t0 = time.monotonic()
        response = push.post(
            "/api/v1/cap/alerts",
            data=raw,
            content_type="application/cap+xml",
            **headers,
        )
        assert response.status_code == 201, response.content
        t_push = time.monotonic() - t0
        while True:
            page = console.get("/console/cap/waiting/")
            if f"Bão BAO-{n}".encode() in page.content:
                break
            if time.monotonic() - t0 > args.timeout:
                raise SystemExit("the draft never showed")
        took = time.monotonic() - t0
        draft_times.append(took)
        print(
            f"draft {n}: push {t_push * 1000:.0f} ms, on the waiting panel "
            f"{took * 1000:.0f} ms (+ at most {POLL_S:.0f} s of the panel's poll)"
        )
    polygon = "10.0,105.0 10.0,106.5 11.0,106.5 11.0,105.0 10.0,105.0"
    from grassroots.tts import actions as tts

    for n in range(1, args.rounds + 1):
        t0 = time.monotonic()
        tts.render_now(
            f"Lũ đo thử {n}\n\nMực nước sông Tiền vượt báo động III, còn lên.",
            area=province,
        )
        print(
            f"speech alone {n} (same length, not in the path): "
            f"{(time.monotonic() - t0) * 1000:.0f} ms"
        )
    for n in range(1, args.rounds + 1):
        with lock:
            acks.clear()
        armed[0] = True
        raw = cap_alert(
            f"LU-{n}",
            "Lũ",
            f"<area><areaDesc>Cả tỉnh</areaDesc><polygon>{polygon}</polygon></area>",
        )
        t0 = time.monotonic()
        response = push.post(
            "/api/v1/cap/alerts",
            data=raw,
            content_type="application/cap+xml",
            **headers,
        )
        t_push = time.monotonic() - t0
        assert response.status_code == 201 and response.json()["outcome"] == "aired", (
            response.content
        )
        deadline = t0 + args.timeout
        while len(acks) < len(online) and time.monotonic() < deadline:
            time.sleep(0.02)
        with lock:
            latencies = [at - t0 for at in acks.values()]
        armed[0] = False
        print(
            f"automatic {n}: push+publish {t_push * 1000:.0f} ms; "
            f"{len(latencies)}/{len(online)} devices acked; p50 "
            f"{percentile(latencies, 50) * 1000:.0f} ms, p95 "
            f"{percentile(latencies, 95) * 1000:.0f} ms, p99 "
            f"{percentile(latencies, 99) * 1000:.0f} ms, max "
            f"{(max(latencies) if latencies else float('nan')) * 1000:.0f} ms"
        )
        # Cancel it, so that the next round starts a new emergency.
        from grassroots.cap.models import ReceivedAlert

        first = ReceivedAlert.objects.get(identifier=f"LU-{n}")
        cancel = (
            cap_alert(f"LU-{n}-C", "Lũ", "")
            .replace(b"<msgType>Alert</msgType>", b"<msgType>Cancel</msgType>")
            .replace(
                b"<scope>Public</scope>",
                f"<scope>Public</scope><references>kttv@bench,LU-{n},"
                f"{first.sent.isoformat()}</references>".encode(),
            )
        )
        push.post(
            "/api/v1/cap/alerts",
            data=cancel,
            content_type="application/cap+xml",
            **headers,
        )
        time.sleep(2)
    print(
        f"draft on the panel: worst {max(draft_times) * 1000:.0f} ms "
        f"(+ {POLL_S:.0f} s poll at most)"
    )
    listener.loop_stop()
    plane.reset()
    return simulator


if __name__ == "__main__":
    main()
