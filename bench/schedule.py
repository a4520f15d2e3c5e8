"""Compiling and sending 48-hour schedules to a whole fleet (issue 5: 10,000 under 10 s).

    .venv/bin/python bench/schedule.py --clusters 10000
    .venv/bin/python bench/schedule.py --clusters 10000 --database postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/gr_bcast_bench

Loads a province of 100 communes of 10 hamlets and N clusters into a fresh
database, with a realistic programme: three province-wide daily slots (news
relay, bulletins read aloud), two daily items and one weekly item per
commune, and a group of clusters per commune with its own item. Starts a
Mosquitto of its own, then times ``compiler.compile_and_send()`` for every
cluster: expansion, one schedule document per cluster checked against the
protocol schema, the versions stored, the audit entry, and every document
published retained (QoS 1) — until a subscriber has received all N. Prints
the phases and the size of the documents.

Results go to docs/benchmarks.md (with the machine).
"""

from __future__ import annotations

import argparse
import datetime
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
from _fleet import free_port, machine  # noqa: E402


def load(count: int) -> None:
    from django.core.management import call_command

    from grassroots.areas.models import Area, Kind, Level
    from grassroots.broadcasts.models import (
        ClusterGroup,
        ProgrammeItem,
        ProgrammeSchedule,
        Source,
    )
    from grassroots.loudspeakers.models import Cluster, Station

    call_command("migrate", verbosity=0)
    province = Area.objects.create(
        code="82",
        name="Tỉnh Đồng Tháp",
        kind=Kind.PROVINCE,
        level=Level.PROVINCE,
        path="82/",
    )
    communes = Area.objects.bulk_create(
        Area(
            parent=province,
            code=f"{28000 + i}",
            name=f"Xã {i}",
            kind=Kind.COMMUNE,
            level=Level.COMMUNE,
            path=f"82/{28000 + i}/",
        )
        for i in range(100)
    )
    hamlets = Area.objects.bulk_create(
        Area(
            parent=c,
            code=f"H{j:02d}",
            name=f"Ấp {j}",
            kind=Kind.HAMLET,
            level=Level.HAMLET,
            path=f"{c.path}H{j:02d}/",
        )
        for c in communes
        for j in range(10)
    )
    stations = {
        s.commune_id: s
        for s in Station.objects.bulk_create(
            Station(commune=c, name=f"Đài {c.name}") for c in communes
        )
    }
    Cluster.objects.bulk_create(
        (
            Cluster(
                station=stations[hamlets[i % len(hamlets)].parent_id],
                area=hamlets[i % len(hamlets)],
                code=f"b{i:05d}",
                name="Cụm loa",
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    from django.utils import timezone

    today = timezone.localdate()

    def recording(area, title):
        return ProgrammeItem(
            area=area,
            title=title,
            source=Source.RECORDING,
            recording=f"broadcasts/{uuid.uuid4().hex}.mp3",
            recording_sha256=uuid.uuid4().hex * 2,
            recording_bytes=812345,
            duration_s=182.4,
        )

    relay = ProgrammeItem.objects.create(
        area=province,
        title="Tiếp sóng Đài Tiếng nói Việt Nam",
        source=Source.RELAY,
        relay_url="https://radio.example.vn/vov1.mp3",
        duration_s=1800,
    )
    news = ProgrammeItem.objects.bulk_create(
        [
            recording(province, "Bản tin tỉnh sáng"),
            recording(province, "Bản tin tỉnh chiều"),
        ]
    )
    plan = [
        (relay, datetime.time(5, 30), province),
        (news[0], datetime.time(6, 0), province),
        (news[1], datetime.time(17, 0), province),
    ]
    for commune in communes:
        own = ProgrammeItem.objects.bulk_create(
            [recording(commune, f"Thông báo {commune.name} {k}") for k in range(4)]
        )
        plan += [
            (own[0], datetime.time(6, 30), commune),
            (own[1], datetime.time(17, 30), commune),
        ]
        weekly = ProgrammeSchedule.objects.create(
            item=own[2],
            area=commune,
            rule="weekly",
            weekdays="0,2,4,6",
            starts_on=today,
            at=datetime.time(18, 0),
        )
        weekly.target_areas.set([commune])
        group = ClusterGroup.objects.create(area=commune, name="Chợ")
        group.clusters.set(
            Cluster.objects.filter(area__path__startswith=commune.path)[:3]
        )
        grouped = ProgrammeSchedule.objects.create(
            item=own[3],
            area=commune,
            rule="daily",
            starts_on=today,
            at=datetime.time(7, 0),
            repeat=2,
            gap_s=60,
        )
        grouped.target_groups.set([group])
    for item, at, target in plan:
        schedule = ProgrammeSchedule.objects.create(
            item=item, area=target, rule="daily", starts_on=today, at=at
        )
        schedule.target_areas.set([target])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clusters", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a profile")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/gr_bcast_bench"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gr-bench-schedule-") as tmp:
        args.data_dir = tmp
        port = free_port()
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 100000\nmax_inflight_messages 0\n"
            "log_dest stderr\nlog_type error\n"
        )
        import shutil
        import subprocess

        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        broker = subprocess.Popen([binary, "-c", str(conf)])  # noqa: S603
        try:
            run(args, port)
        finally:
            broker.terminate()
            broker.wait(5)


def run(args, port: int) -> None:
    os.environ["GRASSROOTS_MQTT_URL"] = f"mqtt://127.0.0.1:{port}"
    setup_django(args)
    from django.conf import settings

    settings.GRASSROOTS_DEVICE_PLANE = "mqtt"
    settings.GRASSROOTS_MQTT_URL = f"mqtt://127.0.0.1:{port}"
    root = "b" + uuid.uuid4().hex[:8]
    settings.GRASSROOTS_MQTT_TOPIC_ROOT = root

    import paho.mqtt.client as mqtt
    from django.db import connection

    from grassroots.broadcasts import compiler
    from grassroots.loudspeakers import plane
    from grassroots.loudspeakers.models import Schedule

    started = time.monotonic()
    load(args.clusters)
    print(
        f"loaded {args.clusters} clusters in {time.monotonic() - started:.1f} s "
        f"({connection.vendor})"
    )

    received = 0
    done = threading.Event()
    expected = [args.clusters]

    def on_message(client, userdata, message):
        nonlocal received
        received += 1
        if received >= expected[0]:
            done.set()

    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-listener")
    listener.on_message = on_message
    listener.connect("127.0.0.1", port)
    from grassroots_agent.protocol import Topics

    listener.subscribe(Topics(root).schedule("+"), qos=1)
    listener.loop_start()
    time.sleep(0.5)
    plane.get_plane()  # connect before timing
    time.sleep(0.5)

    print(machine())
    totals = []
    for n in range(1, args.rounds + 1):
        received, expected[0] = 0, args.clusters
        done.clear()
        t0 = time.monotonic()
        compiled = compiler.prepare()
        t_prepare = time.monotonic() - t0
        t1 = time.monotonic()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            sent = profiler.runcall(compiler.compile_and_send)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        else:
            sent = compiler.compile_and_send()
        t_commit = time.monotonic() - t0
        ok = done.wait(60)
        total = time.monotonic() - t0
        totals.append(total)
        print(
            f"round {n}: {sent} clusters · expand {len(compiled.entries)} schedules "
            f"{t_prepare * 1000:.0f} ms · compile+store+commit {t_commit:.2f} s · "
            f"all {received} received by a subscriber {total:.2f} s"
            f"{'' if ok else ' (TIMED OUT)'}"
        )
        del t1
    last = Schedule.objects.order_by("-pk").first()
    sizes = [len(str(s.document)) for s in Schedule.objects.order_by("-pk")[:200]]
    print(
        f"items per cluster (last): {last.items}; document ~{sum(sizes) // len(sizes)} "
        f"bytes; best {min(totals):.2f} s, worst {max(totals):.2f} s for {args.clusters}"
    )
    listener.loop_stop()
    plane.reset()


if __name__ == "__main__":
    main()
