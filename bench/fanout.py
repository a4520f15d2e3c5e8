"""Fan-out: one command published to the province topic, acknowledged by every device.

    .venv/bin/python bench/fanout.py --devices 10000 [--rounds 5] [--mode emergency]

Starts its own Mosquitto (password and ACL files like production's, every
device its own credentials), starts the fleet simulator in its own process
with realistic 4G delays, waits until every device is connected, then
publishes a command to ``area/82/cmd`` (one message) and times each
device's acknowledgement as the server side receives it. Prints the
latency percentiles per round, and the memory of the simulator and broker.

``--mode emergency`` publishes instead the retained list of active
emergencies on ``area/82/emergency`` (a new emergency each round, the
previous one cancelled by leaving the list), as the emergencies app does,
and times each device's ``ack`` of it (``ref_type: emergency``, its rev).

Every message to devices is sealed (protocol version 2) with a key made for
the run, as the server seals: the command or list once per publish, each
receipt on its own; the devices check each seal before they act.

``--bare`` first measures the broker's own floor on the same broker, with
the devices' own credentials and ACL and as many processes (``broker_floor``:
subscribers that only note the time, then one publish each back), then runs
the rounds with bare devices, and prints p99 / floor, the floor being the
way out plus the way back (medians of the floor's p99s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import _bare_devices
from _fleet import (
    cpu_s,
    fleet_specs,
    free_port,
    hash_all,
    machine,
    percentile,
    raise_nofile,
    rss_mb,
    start_mosquitto,
    start_simulator,
    write_credentials,
)
from broker_floor import Client, Floor, measure_floor

#: How often the measuring side confirms the events it received, as the
#: gateway does after each write (``gateway.service.FLUSH_S``).
RECEIPT_EVERY_S = 0.5


class Sealer:
    """The run's signing key, sealing as ``grassroots.loudspeakers.signing`` does."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey,
        )

        from grassroots_agent import signing

        self.signing = signing
        self.key = Ed25519PrivateKey.generate()
        self.kid = signing.key_id(signing.public_raw(self.key))
        self.public = signing.key_text(self.key)

    def seal(self, topic: str, body: bytes) -> bytes:
        return self.signing.seal(
            topic, body, [(self.kid, self.key)], int(time.time() * 1000)
        )


def emergency_list(ref: str, rev: int) -> dict:
    """Return the province's active emergencies: one, new at each round."""
    from grassroots_agent import protocol

    item = {
        "id": ref,
        "title": "Bench emergency",
        "priority": "emergency",
        "audio": {
            "url": "http://127.0.0.1:9/emergency.mp3",
            "sha256": f"{rev:064x}",
            "duration_s": 20.0,
        },
        "repeat": 1,
        "rev": 1,
        "started_at": protocol.now_iso(),
    }
    return protocol.emergencies(int(time.time() * 1000), [item], area="82")


async def measure(
    args,
    port: int,
    root: str,
    password: str,
    sim_pids: list[int],
    broker_pid: int,
    sealer: Sealer,
) -> list[dict]:
    from grassroots.loudspeakers.gateway.pacing import ReceiptPacer
    from grassroots_agent import protocol
    from grassroots_agent.mqtt import Connection

    topics = protocol.Topics(root)
    online: set[str] = set()
    acks: dict[str, dict[str, float]] = {}
    #: When each device acted on the message, by its clock (the host's, in
    #: the simulator): splits the latency into the way out and the way back.
    handled: dict[str, dict[str, float]] = {}
    waiting: dict[str, float] = {}
    published: dict[str, float] = {}
    receipts: list[tuple[str, bytes]] = []
    pacer = ReceiptPacer()

    def on_state(topic: str, payload: bytes, retained: bool) -> None:
        message = json.loads(payload)
        (online.add if message["online"] else online.discard)(message["device"])

    #: Event batches as they arrived: (when, payload). The time is taken on
    #: arrival and the batch read later (drain), so that the measuring
    #: side's own reading of the batches ahead of it does not count in a
    #: device's latency; the floor's receiver does no more.
    arrived: list[tuple[float, bytes]] = []

    def on_events(topic: str, payload: bytes, retained: bool) -> None:
        arrived.append((time.monotonic(), payload))

    def drain() -> None:
        batch = arrived[:]
        arrived.clear()
        for now, payload in batch:
            read(now, json.loads(payload))

    def read(now: float, message: dict) -> None:
        for event in message.get("events", ()):
            ref = event.get("ref")
            if event.get("ref_type") == "emergency":
                pacer.urgent()
            if event["kind"] == "ack" and ref in waiting:
                acks[ref].setdefault(message["device"], now - waiting[ref])
                handled[ref].setdefault(
                    message["device"], protocol.parse_time(event["at"]) - published[ref]
                )
        receipt = protocol.receipt(
            message["batch"], [e["id"] for e in message["events"]]
        )
        receipts.append((message["device"], protocol.encode(receipt)))

    async def confirm() -> None:
        # As the gateway does: it writes what arrived every RECEIPT_EVERY_S,
        # then confirms each batch (without a receipt a device sends it
        # again), holding receipts while emergency acks pour in (pacing.py).
        while True:
            await asyncio.sleep(RECEIPT_EVERY_S)
            drain()
            pacer.add(receipts[:])
            receipts.clear()
            for index, (device, receipt) in enumerate(pacer.due()):
                topic = topics.command(device)
                server.publish(topic, sealer.seal(topic, receipt), 1)
                if index % 100 == 99:
                    # The gateway seals and sends receipts from its writer
                    # thread while its network thread goes on reading: do
                    # not hold the acks still arriving behind 10,000 seals.
                    await asyncio.sleep(0)

    async def connect(name: str, on_message) -> Connection:
        return await Connection.open(
            "127.0.0.1",
            port,
            client_id=name,
            username="bench",
            password=password,
            on_message=on_message,
            keepalive=60,
        )

    # Device states only tell when all are online: a watcher that then leaves,
    # so that the heartbeats of 10,000 devices do not load the measuring side.
    watcher = await connect("bench-watch", on_state)
    await watcher.subscribe([(topics.state("+"), 1)])
    server = await connect("bench", on_events)
    await server.subscribe([(topics.events("+"), 1)])
    confirming = asyncio.ensure_future(confirm())
    started = time.monotonic()
    while (
        len(online) < args.devices and time.monotonic() - started < args.connect_timeout
    ):
        await asyncio.sleep(0.5)
        if not all(Path(f"/proc/{pid}").exists() for pid in sim_pids):
            raise SystemExit("a simulator process ended; see its output above")
    watcher.disconnect()
    print(
        f"{len(online)} of {args.devices} devices connected in {time.monotonic() - started:.1f} s"
    )
    await asyncio.sleep(2)
    results = []
    for round_number in range(1, args.rounds + 1):
        if args.mode == "emergency":
            ref = f"bul:1:emg:{round_number}"
            topic = topics.area_emergency("82")
            payload = protocol.encode(emergency_list(ref, round_number))
        else:
            command = protocol.command("volume", {"level": 40 + round_number})
            ref = command["id"]
            topic = topics.area_command("82")
            payload = protocol.encode(command)
        acks[ref], handled[ref] = {}, {}
        pids = {"broker": [broker_pid], "devices": sim_pids, "server": [os.getpid()]}
        cpu_before = {k: sum(cpu_s(pid) for pid in v) for k, v in pids.items()}
        waiting[ref], published[ref] = time.monotonic(), time.time()
        payload = sealer.seal(topic, payload)
        await server.publish(topic, payload, 1, args.mode == "emergency")
        deadline = time.monotonic() + args.timeout
        while len(acks[ref]) < args.devices and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            drain()
        took = time.monotonic() - waiting[ref]
        cpu = {k: sum(cpu_s(pid) for pid in v) - cpu_before[k] for k, v in pids.items()}
        latencies = list(acks[ref].values())
        back = [acks[ref][d] - handled[ref][d] for d in acks[ref]]
        result = {
            "round": round_number,
            "acked": len(latencies),
            "p50_ms": percentile(latencies, 50) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000 if latencies else float("nan"),
            "handled_p50_ms": percentile(list(handled[ref].values()), 50) * 1000,
            "handled_p99_ms": percentile(list(handled[ref].values()), 99) * 1000,
            "back_p50_ms": percentile(back, 50) * 1000,
            "back_p99_ms": percentile(back, 99) * 1000,
            "simulator_rss_mb": sum(rss_mb(pid) for pid in sim_pids),
            "mosquitto_rss_mb": rss_mb(broker_pid),
            "cpu_s": cpu,
            "wall_s": took,
        }
        results.append(result)
        print(
            f"round {round_number}: {result['acked']}/{args.devices} acknowledged; "
            f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
            f"max {result['max_ms']:.0f} ms (devices acted: p50 {result['handled_p50_ms']:.0f} ms, "
            f"p99 {result['handled_p99_ms']:.0f} ms; way back p50 {result['back_p50_ms']:.0f} ms, "
            f"p99 {result['back_p99_ms']:.0f} ms); simulator {result['simulator_rss_mb']:.0f} MB, "
            f"mosquitto {result['mosquitto_rss_mb']:.0f} MB; CPU over {took:.2f} s: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in cpu.items())
        )
        await asyncio.sleep(args.pause)
    confirming.cancel()
    server.disconnect()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--mode",
        choices=("command", "emergency"),
        default="command",
        help="publish a volume command, or the province's emergency list (retained)",
    )
    parser.add_argument(
        "--timeout", type=float, default=15.0, help="seconds to wait for every ack"
    )
    parser.add_argument(
        "--pause", type=float, default=3.0, help="seconds between rounds"
    )
    parser.add_argument("--connect-timeout", type=float, default=180.0)
    parser.add_argument(
        "--delay-factor",
        type=float,
        default=1.0,
        help="scale of the simulated 4G delay",
    )
    parser.add_argument(
        "--ramp", type=int, default=500, help="device connections per second"
    )
    parser.add_argument(
        "--shards",
        type=int,
        default=1,
        help="simulator processes (a real fleet has a CPU per device; one Python process is the bottleneck)",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="devices that only acknowledge (bench/_bare_devices.py): the broker's "
        "and server side's share, without 10,000 agents' work on the same cores",
    )
    parser.add_argument(
        "--verify-each",
        action="store_true",
        help="with --bare: every device checks the seal itself, rather than "
        "once per process for all its devices (they all receive the same bytes)",
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    print(f"open-file limit raised to {raise_nofile()}")
    from grassroots.loudspeakers import acl
    from grassroots.loudspeakers.credentials import hash_secret, new_secret
    from grassroots_agent.protocol import Topics
    from grassroots_agent.simulator import run_loop

    root = "bench" + uuid.uuid4().hex[:6]
    topics = Topics(root)
    with tempfile.TemporaryDirectory(prefix="gr-fanout-") as tmp:
        directory = Path(tmp)
        specs = fleet_specs(args.devices)
        started = time.monotonic()
        hashes = hash_all([s["secret"] for s in specs])
        password = new_secret()
        entries = [
            (s["id"], acl.device_rules(topics, s["id"], s["areas"][-1] + "/"))
            for s in specs
        ]
        bench_rules = [
            acl.Rule(acl.READ, topics.state("+")),
            acl.Rule(acl.READ, topics.events("+")),
            acl.Rule(acl.WRITE, f"{topics.base}/area/#"),
            acl.Rule(acl.WRITE, topics.command("+")),
        ]
        (directory / "passwd").write_text(
            "".join(f"{s['id']}:{h}\n" for s, h in zip(specs, hashes, strict=True))
            + f"bench:{hash_secret(password)}\n"
        )
        (directory / "acl").write_text(acl.render([*entries, ("bench", bench_rules)]))
        print(
            f"credentials and ACL for {args.devices} devices written in {time.monotonic() - started:.1f} s"
        )
        port = free_port()
        broker = start_mosquitto(directory, port)
        sealer = Sealer()
        credentials = directory / "devices.json"
        write_credentials(credentials, specs, port, root, [sealer.public])
        floor = None

        def measure_the_floor() -> Floor:
            return measure_floor(
                port,
                [
                    Client(s["id"], topics.events(s["id"]), s["id"], s["secret"])
                    for s in specs
                ],
                processes=args.shards,
                server=Client(
                    "bench-floor", topics.area_command("82"), "bench", password
                ),
                back_filter=topics.events("+"),
                broker_pid=broker.pid,
            )

        if args.bare:
            floor = measure_the_floor()
        share = -(-args.devices // args.shards)
        simulators = [
            _bare_devices.start(
                credentials,
                min(share, args.devices - i * share),
                i * share,
                args.delay_factor,
                args.verify_each,
            )
            if args.bare
            else start_simulator(
                credentials,
                min(share, args.devices - i * share),
                "--no-validate",
                "--delay-factor",
                str(args.delay_factor),
                "--ramp",
                str(args.ramp // args.shards),
                offset=i * share,
            )
            for i in range(args.shards)
        ]
        try:
            results: list[dict] = []

            async def run() -> None:
                results.extend(
                    await measure(
                        args,
                        port,
                        root,
                        password,
                        [s.pid for s in simulators],
                        broker.pid,
                        sealer,
                    )
                )

            run_loop(run())
        finally:
            for simulator in simulators:
                simulator.terminate()
            for simulator in simulators:
                simulator.wait(60)
            if floor is not None and results:
                # Measured again after the rounds, on the same broker: the
                # floor is the median of both, so that a machine whose load
                # changes during the run does not skew the ratio one way.
                print("the floor again, after the rounds:")
                floor = floor.merged(measure_the_floor())
            broker.terminate()
            broker.wait(10)
    p99 = max(r["p99_ms"] for r in results)
    median_p99 = statistics.median(r["p99_ms"] for r in results)
    complete = all(r["acked"] == args.devices for r in results)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    ratio = ""
    if floor is not None:
        print(
            f"floor: out p99 {floor.out_ms:.0f} ms + back p99 {floor.back_ms:.0f} ms "
            f"= {floor.total_ms:.0f} ms; p99 / floor: median round "
            f"{median_p99 / floor.total_ms:.2f}, worst round {p99 / floor.total_ms:.2f}"
        )
        print(
            f"round-trip floor (clients answering at once): p99 {floor.echo_ms:.0f} ms;"
            f" p99 / round-trip floor: median round {median_p99 / floor.echo_ms:.2f},"
            f" worst round {p99 / floor.echo_ms:.2f}"
        )
        floor_cpu = statistics.median(floor.out_cpu_s) + statistics.median(
            floor.back_cpu_s
        )
        round_cpu = statistics.median(sum(r["cpu_s"].values()) for r in results)
        print(
            f"CPU of a round (broker, devices, server side): {round_cpu:.2f} s; "
            f"the floor's way out and back: {floor_cpu:.2f} s "
            f"({round_cpu / floor_cpu:.2f}×); its round trip: "
            f"{statistics.median(floor.echo_cpu_s):.2f} s"
        )
        ratio = (
            f" floor_ms={floor.total_ms:.0f} ratio_median={median_p99 / floor.total_ms:.2f}"
            f" ratio_worst={p99 / floor.total_ms:.2f} round_trip_floor_ms={floor.echo_ms:.0f}"
            f" round_trip_ratio_median={median_p99 / floor.echo_ms:.2f}"
        )
    print(
        f"RESULT mode={args.mode}{' bare' if args.bare else ''} devices={args.devices} shards={args.shards} rounds={len(results)} all_acknowledged={complete} "
        f"median_p99_ms={median_p99:.0f} worst_p99_ms={p99:.0f}{ratio} simulator_rss_mb={max(r['simulator_rss_mb'] for r in results):.0f}"
    )


if __name__ == "__main__":
    main()
