"""Soak: a simulated fleet airs a day's schedule while the gateway and the broker are killed.

    .venv/bin/python bench/soak.py --devices 2000 --minutes 30 [--kill-every 60]

Builds a throw-away installation (SQLite in a temporary directory, or the
database of DATABASE_URL), registers N clusters, starts its own Mosquitto on
the configuration ``grassroots broker`` writes, the real gateway
(``grassroots gateway``) and the fleet simulator in two processes, with
churn (connections dropping and coming back, ``--drops-per-hour``). Every
cluster gets a schedule with an item every ``--every`` seconds. Every
``--kill-every`` seconds one process is killed with SIGKILL — the gateway or
the broker, in turn — and started again two seconds later, as the
supervisor or systemd would.

At the end (after ``--grace`` seconds for devices to send what they hold) it
prints, for every item due to have finished: missed airings (no ``started``
event), lost events (``started`` without ``finished``, or the reverse) and
duplicated ones (an airing counted twice), all of which must be 0; and the
resident memory of the gateway, the broker and the simulators over time
(which must stay flat).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from _fleet import (
    ROOT,
    fleet_specs,
    free_port,
    launch_mosquitto,
    machine,
    raise_nofile,
    rss_mb,
    start_simulator,
    write_credentials,
)
from heartbeat import register, setup_django

SHA = "0" * 64


def schedule_items(start: float, minutes: float, every: float, duration: float):
    from grassroots_agent.protocol import now_iso

    items = []
    t = start
    n = 0
    while t < start + minutes * 60:
        items.append(
            {
                "id": f"soak-{n}",
                "title": f"Bản tin {n}",
                "priority": "normal",
                "audio": {
                    "url": "http://127.0.0.1:9/a.mp3",
                    "sha256": SHA,
                    "duration_s": duration,
                },
                "start": now_iso(t),
            }
        )
        t += every
        n += 1
    return items


def start_gateway(directory: Path) -> subprocess.Popen:
    log = (directory / "gateway.log").open("a")
    return subprocess.Popen(  # noqa: S603 - our own gateway
        [sys.executable, "-m", "grassroots", "gateway"],
        cwd=ROOT,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--every", type=float, default=30.0, help="seconds between items"
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per item")
    parser.add_argument("--kill-every", type=float, default=60.0)
    parser.add_argument("--drops-per-hour", type=float, default=6.0)
    parser.add_argument("--grace", type=float, default=60.0)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - which process to kill, not security
    print(f"Machine: {machine()}")
    raise_nofile()
    root = "soak" + uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="gr-soak-") as tmp:
        directory = Path(tmp)
        port, service_port = free_port(), free_port()
        os.environ["GRASSROOTS_DEVICE_HEARTBEAT_S"] = "30"
        setup_django(directory, port, service_port, root)
        from django.conf import settings

        from grassroots.loudspeakers import actions, brokerfiles, signing
        from grassroots.loudspeakers.models import Cluster, PlayEvent

        specs = fleet_specs(args.devices)
        register(specs)
        print(
            f"{args.devices} clusters registered ({settings.DATABASES['default']['ENGINE']})"
        )
        files = brokerfiles.write(directory / "mqtt")
        broker = launch_mosquitto(files.conf, port)
        gateway = start_gateway(directory)
        credentials = directory / "devices.json"
        write_credentials(credentials, specs, port, root, signing.public_keys())
        share = -(-args.devices // args.shards)
        simulators = [
            start_simulator(
                credentials,
                min(share, args.devices - i * share),
                "--heartbeat",
                "30",
                "--no-validate",
                "--ramp",
                "200",
                "--stats-every",
                "600",
                "--drops-per-hour",
                str(args.drops_per_hour),
                "--delay-factor",
                "0.3",
                offset=i * share,
            )
            for i in range(args.shards)
        ]
        samples: list[tuple[float, float, float, float]] = []
        kills: Counter[str] = Counter()
        begin = time.time()
        first = begin + 40  # connections ramp up meanwhile
        items = schedule_items(first, args.minutes, args.every, args.duration)
        clusters = list(Cluster.objects.select_related("area"))
        actions.send_schedules(
            None,
            {c: items for c in clusters},
            valid_from=datetime.datetime.fromtimestamp(begin, datetime.UTC),
            valid_until=datetime.datetime.fromtimestamp(
                first + args.minutes * 60 + 3600, datetime.UTC
            ),
        )
        print(
            f"{len(items)} items per cluster, one every {args.every:.0f} s, "
            f"for {args.minutes} min; killing the gateway or the broker every "
            f"{args.kill_every:.0f} s"
        )
        try:
            next_kill = first + args.kill_every / 2
            turn = rng.choice(["gateway", "broker"])
            end = first + args.minutes * 60
            while time.time() < end:
                time.sleep(1)
                now = time.time()
                if int(now - begin) % 10 == 0:
                    samples.append(
                        (
                            now - begin,
                            rss_mb(gateway.pid),
                            rss_mb(broker.pid),
                            sum(rss_mb(s.pid) for s in simulators),
                        )
                    )
                    if len(samples) % 6 == 0:
                        t, g, b, s = samples[-1]
                        print(
                            f"  {t:5.0f} s: RSS gateway {g:.0f} MB, broker {b:.0f} MB, "
                            f"simulators {s:.0f} MB; kills {dict(kills)}",
                            flush=True,
                        )
                if now >= next_kill:
                    next_kill = now + args.kill_every
                    if turn == "gateway":
                        gateway.send_signal(signal.SIGKILL)
                        gateway.wait(10)
                        time.sleep(2)
                        gateway = start_gateway(directory)
                    else:
                        broker.send_signal(signal.SIGKILL)
                        broker.wait(10)
                        time.sleep(2)
                        broker = launch_mosquitto(files.conf, port)
                    kills[turn] += 1
                    turn = "broker" if turn == "gateway" else "gateway"
            print(
                f"schedule over; {args.grace:.0f} s for devices to send what they hold"
            )
            time.sleep(args.grace)
        finally:
            for simulator in simulators:
                simulator.send_signal(signal.SIGTERM)
            for simulator in simulators:
                simulator.wait(120)
            gateway.send_signal(signal.SIGTERM)
            gateway.wait(30)
            broker.terminate()
            broker.wait(10)
        due = [
            i["id"]
            for i in items
            if datetime.datetime.fromisoformat(i["start"]).timestamp() + args.duration
            < end
        ]
        counted = Counter(
            PlayEvent.objects.filter(item__in=due).values_list(
                "cluster_id", "item", "kind"
            )
        )
        missed = lost = duplicated = 0
        for cluster in clusters:
            for item_id in due:
                started = counted[(cluster.pk, item_id, "started")]
                finished = counted[(cluster.pk, item_id, "finished")]
                if started == 0 and finished == 0:
                    missed += 1
                elif started != finished:
                    lost += abs(started - finished)
                duplicated += max(0, started - 1) + max(0, finished - 1)
        rss = {
            "gateway": [g for _t, g, _b, _s in samples],
            "broker": [b for _t, _g, b, _s in samples],
            "simulators": [s for _t, _g, _b, s in samples],
        }
        print(
            f"RESULT devices={args.devices} minutes={args.minutes} airings_due="
            f"{len(due) * len(clusters)} missed={missed} lost_events={lost} "
            f"duplicated={duplicated} kills={dict(kills)}"
        )
        for name, values in rss.items():
            if values:
                print(
                    f"RSS {name} MB: first={values[0]:.0f} max={max(values):.0f} "
                    f"last={values[-1]:.0f}"
                )


if __name__ == "__main__":
    main()
