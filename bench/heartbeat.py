"""Heartbeats: N devices reporting every 30 s for 10 minutes through the real gateway.

    .venv/bin/python bench/heartbeat.py --devices 10000 --minutes 10

Builds a throw-away installation (SQLite in a temporary directory, or the
database of DATABASE_URL), registers N clusters with their own credentials,
starts its own Mosquitto on the configuration and files `grassroots broker` writes,
the gateway (`grassroots gateway`) and the simulator, then listens to every
state message itself. At the end it checks that the database holds, for every
device, the last state the device published (no lost status), and prints the
gateway's resident memory over the run (it must stay flat).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _fleet import (
    ROOT,
    fleet_specs,
    free_port,
    hash_all,
    launch_mosquitto,
    machine,
    raise_nofile,
    rss_mb,
    start_simulator,
    write_credentials,
)


def setup_django(directory: Path, port: int, service_port: int, root: str) -> None:
    os.environ.setdefault("GRASSROOTS_DATA_DIR", str(directory / "data"))
    # Devices on ``port``, the gateway on the service listener.
    os.environ["MQTT_URL"] = f"mqtt://127.0.0.1:{service_port}"
    os.environ["GRASSROOTS_MQTT_PORT"] = str(port)
    os.environ["GRASSROOTS_MQTT_SERVICE_PORT"] = str(service_port)
    os.environ["GRASSROOTS_MQTT_TOPIC_ROOT"] = root
    os.environ["GRASSROOTS_BROKER_FILES_DIR"] = str(directory / "mqtt")
    os.environ["DJANGO_SETTINGS_MODULE"] = "grassroots.settings.dev"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def register(specs: list[dict]) -> None:
    from grassroots.areas.models import Area, Kind, Level
    from grassroots.loudspeakers.models import Cluster, Station

    hashes = hash_all([s["secret"] for s in specs])
    province, _ = Area.objects.get_or_create(
        code="82",
        level=Level.PROVINCE,
        defaults={"name": "Đồng Tháp", "kind": Kind.PROVINCE, "path": "82/"},
    )
    areas: dict[str, Area] = {"82": province}
    stations: dict[str, Station] = {}
    clusters = []
    for spec, hashed in zip(specs, hashes, strict=True):
        for path in spec["areas"][1:]:
            if path not in areas:
                parent = areas[path.rsplit("/", 1)[0]]
                code = path.rsplit("/", 1)[1]
                level = (
                    Level.COMMUNE if parent.level == Level.PROVINCE else Level.HAMLET
                )
                areas[path] = Area.objects.create(
                    parent=parent,
                    code=code,
                    name=f"Đơn vị {code}",
                    kind=Kind.COMMUNE if level == Level.COMMUNE else Kind.HAMLET,
                    level=level,
                    path=path + "/",
                )
        commune = areas[spec["areas"][1]]
        if commune.pk not in stations:
            stations[commune.pk] = Station.objects.create(
                commune=commune, name=f"Đài {commune.code}"
            )
        clusters.append(
            Cluster(
                station=stations[commune.pk],
                area=areas[spec["areas"][-1]],
                code=spec["id"],
                secret_hash=hashed,
            )
        )
    Cluster.objects.bulk_create(clusters, batch_size=1000)


async def listen(
    port: int, root: str, password: str, last: dict, stop: asyncio.Event
) -> None:
    from grassroots_agent import protocol
    from grassroots_agent.mqtt import Connection

    topics = protocol.Topics(root)

    def on_message(topic: str, payload: bytes, retained: bool) -> None:
        message = json.loads(payload)
        if not message.get("will") and "seq" in message:
            key = (message["boot"], message["conn"], message["seq"])
            last[message["device"]] = max(last.get(message["device"], key), key)
            last["_count"] = last.get("_count", 0) + 1

    connection = await Connection.open(
        "127.0.0.1",
        port,
        client_id="bench-listener",
        username="bench",
        password=password,
        on_message=on_message,
        keepalive=60,
    )
    await connection.subscribe([(topics.state("+"), 1)])
    await stop.wait()
    connection.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--heartbeat", type=float, default=30.0)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument(
        "--grace",
        type=float,
        default=5.0,
        help="seconds for the gateway to catch up at the end",
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    raise_nofile()
    root = "hb" + uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="gr-heartbeat-") as tmp:
        directory = Path(tmp)
        port, service_port = free_port(), free_port()
        setup_django(directory, port, service_port, root)
        from django.conf import settings

        from grassroots.loudspeakers import acl, brokerfiles
        from grassroots.loudspeakers.credentials import hash_secret, new_secret
        from grassroots_agent.protocol import Topics

        specs = fleet_specs(args.devices)
        started = time.monotonic()
        register(specs)
        print(
            f"{args.devices} clusters registered in {time.monotonic() - started:.1f} s ({settings.DATABASES['default']['ENGINE']})"
        )
        files = brokerfiles.write(directory / "mqtt")
        password = new_secret()
        with files.passwd.open("a") as handle:
            handle.write(f"bench:{hash_secret(password)}\n")
        with files.acl.open("a") as handle:
            handle.write(
                acl.render([("bench", [acl.Rule(acl.READ, Topics(root).state("+"))])])
            )
        broker = launch_mosquitto(files.conf, port)
        gateway_log = (directory / "gateway.log").open("w")
        gateway = subprocess.Popen(  # noqa: S603 - our own gateway
            [sys.executable, "-m", "grassroots", "gateway"],
            cwd=ROOT,
            env={**os.environ},
            stdout=gateway_log,
            stderr=subprocess.STDOUT,
        )
        credentials = directory / "devices.json"
        write_credentials(credentials, specs, port, root)
        share = -(-args.devices // args.shards)
        simulators = [
            start_simulator(
                credentials,
                min(share, args.devices - i * share),
                "--heartbeat",
                str(args.heartbeat),
                "--no-validate",
                "--ramp",
                "300",
                "--stats-every",
                "120",
                offset=i * share,
            )
            for i in range(args.shards)
        ]
        last: dict = {}
        samples: list[tuple[float, float]] = []

        async def run() -> None:
            stop = asyncio.Event()
            listener = asyncio.create_task(listen(port, root, password, last, stop))
            begin = time.monotonic()
            while time.monotonic() - begin < 120 and len(last) - 1 < args.devices:
                await asyncio.sleep(1)
            print(
                f"{len(last) - 1} devices reporting after {time.monotonic() - begin:.0f} s; measuring for {args.minutes} min"
            )
            counted_from = last.get("_count", 0)
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.minutes * 60:
                await asyncio.sleep(10)
                samples.append((time.monotonic() - t0, rss_mb(gateway.pid)))
                if len(samples) % 6 == 0:
                    print(
                        f"  {samples[-1][0]:4.0f} s: gateway RSS {samples[-1][1]:.0f} MB, {last.get('_count', 0) - counted_from} states published"
                    )
            # Stop listening, then give the gateway time to write what was in flight.
            stop.set()
            await listener
            await asyncio.sleep(args.grace)
            last["_measured"] = last.get("_count", 0) - counted_from

        try:
            asyncio.run(run())
            from grassroots.loudspeakers.models import ClusterStatus

            stored = {
                s.cluster.code: (s.boot, s.conn, s.seq)
                for s in ClusterStatus.objects.select_related("cluster")
            }
            devices = [s["id"] for s in specs]

            # The database may be ahead (the fleet goes on reporting after the
            # listener stopped), never behind the last state a device sent.
            def holds(device: str) -> bool:
                have, sent = stored.get(device), last.get(device)
                return (
                    have is not None
                    and sent is not None
                    and have[0] == sent[0]
                    and have[1:] >= sent[1:]
                )

            matched = sum(1 for d in devices if holds(d))
            behind = [d for d in devices if not holds(d)]
            behind_report = [(d, stored.get(d), last.get(d)) for d in behind[:5]]
        finally:
            for simulator in simulators:
                simulator.send_signal(signal.SIGTERM)
            for simulator in simulators:
                simulator.wait(120)
            gateway.send_signal(signal.SIGTERM)
            gateway.wait(30)
            broker.terminate()
            broker.wait(10)
        log = (directory / "gateway.log").read_text().splitlines()
        final = next((line for line in reversed(log) if "gateway stopped" in line), "")
        rss = [r for _t, r in samples]
        print(f"gateway: {final}")
        print(
            f"RESULT devices={args.devices} minutes={args.minutes} states_published={last.get('_measured')} "
            f"last_state_stored={matched}/{args.devices} behind={len(behind)} "
            f"gateway_rss_mb first={rss[0]:.0f} max={max(rss):.0f} last={rss[-1]:.0f}"
        )
        if behind:
            print("devices whose last state is not stored:", behind_report)


if __name__ == "__main__":
    main()
