"""The broker's own floor: one publish to N plain subscribers, and N publishes to one.

    .venv/bin/python bench/broker_floor.py [--subscribers 10000] [--processes 2]

Starts its own Mosquitto (no passwords: only the broker and the kernel's
loopback are measured), connects N subscribers that do nothing but note the
arrival time, split over ``--processes`` processes, and prints for three
rounds: the time from one QoS 1 publish to its arrival at each subscriber,
then the time for N publishes (one per client, as N devices acknowledging)
to reach one subscriber. What ``bench/fanout.py`` measures above these
figures is the devices' and the server side's work.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

from _fleet import free_port, machine, percentile, raise_nofile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "agent"))

from grassroots_agent.mqtt import Connection  # noqa: E402
from grassroots_agent.simulator import run_loop  # noqa: E402

ROUNDS = 3


def subscribers(port: int, name: str, count: int, ready, results) -> None:
    raise_nofile()

    async def main() -> None:
        arrivals: list[float] = []

        def on_message(topic: str, payload: bytes, retained: bool) -> None:
            arrivals.append(time.time() - float(payload))

        clients = [
            await Connection.open(
                "127.0.0.1",
                port,
                client_id=f"{name}{i}",
                on_message=on_message,
                keepalive=300,
            )
            for i in range(count)
        ]
        await asyncio.gather(*(c.subscribe([("area/82/cmd", 1)]) for c in clients))
        ready.put(name)
        for _ in range(ROUNDS):
            await asyncio.sleep(3)
            results.put(arrivals[:])
            arrivals.clear()
        # The way back: every client publishes once, as a device acknowledging.
        for _ in range(ROUNDS):
            ready.get()
            for i, client in enumerate(clients):
                client.publish(f"dev/{name}{i}/evt", str(time.time()).encode(), 1)
            await asyncio.sleep(3)

    run_loop(main())


async def measure(args, port: int, ready, results, back) -> None:
    inbox: list[float] = []
    publisher = await Connection.open(
        "127.0.0.1",
        port,
        client_id="server",
        on_message=lambda t, p, r: inbox.append(time.time() - float(p)),
        keepalive=300,
    )
    await publisher.subscribe([("dev/+/evt", 1)])
    for round_number in range(1, ROUNDS + 1):
        await publisher.publish("area/82/cmd", str(time.time()).encode(), 1)
        await asyncio.sleep(3.5)
        arrivals = [x for _ in range(args.processes) for x in results.get()]
        print(
            f"out, round {round_number}: {len(arrivals)} of {args.subscribers}; "
            f"p50 {percentile(arrivals, 50) * 1000:.0f} ms, "
            f"p99 {percentile(arrivals, 99) * 1000:.0f} ms"
        )
    for round_number in range(1, ROUNDS + 1):
        inbox.clear()
        for _ in range(args.processes):
            back.put("go")
        await asyncio.sleep(3)
        print(
            f"back, round {round_number}: {len(inbox)} of {args.subscribers}; "
            f"p50 {percentile(inbox, 50) * 1000:.0f} ms, "
            f"p99 {percentile(inbox, 99) * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    raise_nofile()
    import subprocess

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="gr-floor-") as tmp:
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "user root\nmax_queued_messages 100000\nmax_inflight_messages 0\n"
            "set_tcp_nodelay true\nlog_dest stderr\nlog_type error\n"
        )
        broker = subprocess.Popen(["mosquitto", "-c", str(conf)])  # noqa: S603, S607
        time.sleep(0.5)
        ready, results = multiprocessing.Queue(), multiprocessing.Queue()
        share = -(-args.subscribers // args.processes)
        workers = [
            multiprocessing.Process(
                target=subscribers,
                args=(
                    port,
                    f"s{i}-",
                    min(share, args.subscribers - i * share),
                    ready,
                    results,
                ),
            )
            for i in range(args.processes)
        ]
        for worker in workers:
            worker.start()
        for _ in workers:
            ready.get()
        try:
            run_loop(measure(args, port, ready, results, ready))
        finally:
            for worker in workers:
                worker.terminate()
            broker.terminate()
            broker.wait(10)


if __name__ == "__main__":
    main()
