"""Soak: a simulated fleet airs a day's schedule while the server's processes are killed.

    .venv/bin/python bench/soak.py --devices 2000 --minutes 30 [--kill-every 60]

Builds a throw-away installation (SQLite in a temporary directory, or the
database of DATABASE_URL), registers N clusters, starts its own Mosquitto on
the configuration ``grassroots broker`` writes, the real gateway
(``grassroots gateway``) and the fleet simulator in two processes, with
churn (connections dropping and coming back, ``--drops-per-hour``), and the
web process (uvicorn) and the worker (``grassroots run_huey``) as ``make run``
starts them. Every cluster gets a schedule with an item every ``--every``
seconds. Every ``--kill-every`` seconds one process is killed with SIGKILL —
the gateway, the broker, the worker or the web process, in a shuffled turn —
and started again two seconds later, as the supervisor or systemd would.
With ``--database-restart`` the database is restarted in the turn too
(PostgreSQL, by the given command). Ten seconds after each kill the soak asks ``/healthz`` and sends the worker
a job through the queue (an outbox delivery), and counts what did not answer.

At the end (after ``--grace`` seconds for devices to send what they hold) it
prints, for every item due to have finished: missed airings (no ``started``
event), lost events (``started`` without ``finished``, or the reverse) and
duplicated ones (an airing counted twice), all of which must be 0; and the
resident memory of the gateway, the broker and the simulators over time
(which must stay flat).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def _start(directory: Path, name: str, argv: list[str]) -> subprocess.Popen:
    log = (directory / f"{name}.log").open("a")
    return subprocess.Popen(  # noqa: S603 - our own processes
        [sys.executable, *argv],
        cwd=ROOT,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_gateway(directory: Path) -> subprocess.Popen:
    return _start(directory, "gateway", ["-m", "grassroots", "gateway"])


def start_worker(directory: Path) -> subprocess.Popen:
    return _start(directory, "worker", ["-m", "grassroots", "run_huey", "--quiet"])


def start_web(directory: Path, http_port: int) -> subprocess.Popen:
    return _start(
        directory,
        "web",
        [
            "-m",
            "uvicorn",
            "grassroots.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(http_port),
            "--no-access-log",
            "--lifespan",
            "off",
        ],
    )


def healthz(http_port: int) -> bool:
    try:
        with urllib.request.urlopen(  # noqa: S310 - our own web process on loopback
            f"http://127.0.0.1:{http_port}/healthz", timeout=10
        ) as answer:
            return answer.status == 200
    except OSError:
        return False


def worker_answers(timeout: float = 30.0) -> bool:
    """Send the worker a job through the queue; True if it ran it in time."""
    from grassroots.bulletins import tasks

    try:
        # A job of the outbox with nothing to deliver (huey keeps no result
        # of a periodic job, so not the sweep itself).
        tasks.deliver_channel_events([]).get(blocking=True, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - a timeout or a failed job: both count
        print(f"  the worker did not answer: {exc!r}", flush=True)
        return False
    return True


def explain_missed(
    missing: list[tuple[int, str]],
    items: list[dict],
    kill_log: list[tuple[float, str]],
    begin: float,
) -> None:
    """Print what the database knows of the clusters that missed an airing."""
    from grassroots.loudspeakers.models import Cluster, ClusterLog

    starts = {
        i["id"]: datetime.datetime.fromisoformat(i["start"]).timestamp() for i in items
    }
    by_cluster: dict[int, list[str]] = {}
    for pk, item_id in missing:
        by_cluster.setdefault(pk, []).append(item_id)
    by_item = Counter(item_id for _pk, item_id in missing)
    print(
        f"missed airings by item ({len(by_item)} items, {len(by_cluster)} clusters):",
        ", ".join(
            f"{item_id} (t={starts[item_id] - begin:.0f} s) x{n}"
            for item_id, n in sorted(by_item.items(), key=lambda kv: starts[kv[0]])
        ),
    )
    print(
        "kills at:",
        ", ".join(f"{name} t={at - begin:.0f} s" for at, name in kill_log),
    )
    for cluster in Cluster.objects.filter(pk__in=list(by_cluster)[:20]).select_related(
        "status"
    ):
        status = cluster.status
        print(
            f"  {cluster.code}: missed {', '.join(by_cluster[cluster.pk])}; "
            f"schedule sent v{cluster.schedule_version}, held "
            f"v{status.schedule_version}, online={status.online}"
        )
        for entry in ClusterLog.objects.filter(cluster=cluster).order_by("at")[:30]:
            print(f"      t={entry.at.timestamp() - begin:7.1f} s {entry.message}")


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
    parser.add_argument(
        "--database-restart",
        metavar="COMMAND",
        help="also restart the database in the turn with this command, e.g. "
        "'pg_ctlcluster 15 main restart' (PostgreSQL through DATABASE_URL)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the installation (database, logs) in this new directory",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - which process to kill, not security
    print(f"Machine: {machine()}")
    raise_nofile()
    root = "soak" + uuid.uuid4().hex[:6]
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            directory = args.keep.resolve()
        else:
            directory = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="gr-soak-"))
            )
        port, service_port = free_port(), free_port()
        os.environ["GRASSROOTS_DEVICE_HEARTBEAT_S"] = "30"
        setup_django(directory, port, service_port, root)
        from django.conf import settings
        from django.db import connections

        from grassroots.loudspeakers import actions, brokerfiles, signing
        from grassroots.loudspeakers.models import Cluster, PlayEvent

        specs = fleet_specs(args.devices)
        register(specs)
        print(
            f"{args.devices} clusters registered ({settings.DATABASES['default']['ENGINE']})"
        )
        files = brokerfiles.write(directory / "mqtt")
        broker = launch_mosquitto(files.conf, port)
        http_port = free_port()
        procs = {
            "broker": broker,
            "gateway": start_gateway(directory),
            "worker": start_worker(directory),
            "web": start_web(directory, http_port),
        }
        restart = {
            "broker": lambda: launch_mosquitto(files.conf, port),
            "gateway": lambda: start_gateway(directory),
            "worker": lambda: start_worker(directory),
            "web": lambda: start_web(directory, http_port),
        }
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
        samples: list[tuple[float, dict[str, float]]] = []
        kills: Counter[str] = Counter()
        kill_log: list[tuple[float, str]] = []
        checks: Counter[str] = Counter()
        begin = time.time()
        first = begin + 40  # connections ramp up meanwhile
        items = schedule_items(first, args.minutes, args.every, args.duration)
        clusters = list(Cluster.objects.select_related("area"))
        actions.send_schedules(
            None,
            {c: items for c in clusters},
            valid_from=datetime.datetime.fromtimestamp(begin, datetime.UTC),
            # Valid for two days: the worker's half-hourly roll
            # (broadcasts.roll_window) recompiles every schedule ending within
            # 36 hours from the programme, which knows nothing of these items.
            valid_until=datetime.datetime.fromtimestamp(
                first + args.minutes * 60 + 48 * 3600, datetime.UTC
            ),
        )
        print(
            f"{len(items)} items per cluster, one every {args.every:.0f} s, "
            f"for {args.minutes} min; killing the gateway, the broker, the worker "
            f"or the web process every {args.kill_every:.0f} s"
        )

        def rss() -> dict[str, float]:
            found = {name: rss_mb(p.pid) for name, p in procs.items()}
            found["simulators"] = sum(rss_mb(s.pid) for s in simulators)
            return found

        turns: list[str] = []
        try:
            next_kill = first + args.kill_every / 2
            next_check = None
            end = first + args.minutes * 60
            while time.time() < end:
                time.sleep(1)
                now = time.time()
                if int(now - begin) % 10 == 0:
                    samples.append((now - begin, rss()))
                    if len(samples) % 6 == 0:
                        t, mb = samples[-1]
                        print(
                            f"  {t:5.0f} s: RSS "
                            + ", ".join(f"{k} {v:.0f} MB" for k, v in mb.items())
                            + f"; kills {dict(kills)}; checks {dict(checks)}",
                            flush=True,
                        )
                if next_check is not None and now >= next_check:
                    next_check = None
                    checks[
                        "healthz_ok" if healthz(http_port) else "healthz_failed"
                    ] += 1
                    checks["worker_ok" if worker_answers() else "worker_failed"] += 1
                if now >= next_kill:
                    next_kill = now + args.kill_every
                    if not turns:
                        turns = ["gateway", "broker", "worker", "web"]
                        if args.database_restart:
                            turns.append("database")
                        rng.shuffle(turns)
                    name = turns.pop()
                    if name == "database":
                        subprocess.run(shlex.split(args.database_restart), check=True)  # noqa: S603 - the operator's command
                        connections.close_all()
                    else:
                        procs[name].send_signal(signal.SIGKILL)
                        procs[name].wait(10)
                        time.sleep(2)
                        procs[name] = restart[name]()
                    kills[name] += 1
                    kill_log.append((now, name))
                    next_check = time.time() + 10
            print(
                f"schedule over; {args.grace:.0f} s for devices to send what they hold"
            )
            time.sleep(args.grace)
            checks["healthz_ok" if healthz(http_port) else "healthz_failed"] += 1
            checks["worker_ok" if worker_answers() else "worker_failed"] += 1
        finally:
            for simulator in simulators:
                simulator.send_signal(signal.SIGTERM)
            for simulator in simulators:
                simulator.wait(120)
            for name in ("web", "worker", "gateway"):
                procs[name].send_signal(signal.SIGTERM)
                procs[name].wait(30)
            procs["broker"].terminate()
            procs["broker"].wait(10)
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
        missing: list[tuple[int, str]] = []
        for cluster in clusters:
            for item_id in due:
                started = counted[(cluster.pk, item_id, "started")]
                finished = counted[(cluster.pk, item_id, "finished")]
                if started == 0 and finished == 0:
                    missed += 1
                    missing.append((cluster.pk, item_id))
                elif started != finished:
                    lost += abs(started - finished)
                duplicated += max(0, started - 1) + max(0, finished - 1)
        print(
            f"RESULT devices={args.devices} minutes={args.minutes} airings_due="
            f"{len(due) * len(clusters)} missed={missed} lost_events={lost} "
            f"duplicated={duplicated} kills={dict(kills)} checks={dict(checks)}"
        )
        if missing:
            explain_missed(missing, items, kill_log, begin)
        for name in samples[0][1] if samples else []:
            values = [mb[name] for _t, mb in samples]
            print(
                f"RSS {name} MB: first={values[0]:.0f} max={max(values):.0f} "
                f"last={values[-1]:.0f}"
            )
        timeline = samples[:: max(1, len(samples) // 10)]
        for t, mb in timeline:
            print(f"  {t:5.0f} s " + " ".join(f"{k}={v:.0f}" for k, v in mb.items()))


if __name__ == "__main__":
    main()
