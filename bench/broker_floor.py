"""The broker's own floor: one publish to N plain subscribers, and N publishes to one.

    .venv/bin/python bench/broker_floor.py [--subscribers 10000] [--processes 2]

Starts its own Mosquitto (no passwords: only the broker and the kernel's
loopback are measured), connects N subscribers that do nothing but note the
arrival time, split over ``--processes`` processes, and prints for three
rounds: the time from one QoS 1 publish to its arrival at each subscriber,
then the time for N publishes (one per client, as N devices acknowledging)
to reach one subscriber; then the round trip itself: one publish, each
subscriber answering at once with one publish of its own (an "echo": what
the broker does when the answers come back while it still hands the message
out). What ``bench/fanout.py`` measures above these figures is the devices'
and the server side's work; ``fanout.py --bare``
calls :func:`measure_floor` itself, on its own broker with the devices'
credentials, right before its rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _fleet import cpu_s, free_port, machine, percentile, raise_nofile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "agent"))

from grassroots_agent.mqtt import Connection  # noqa: E402
from grassroots_agent.simulator import run_loop  # noqa: E402

ROUNDS = 3
OUT_TOPIC = "area/82/cmd"


@dataclass(frozen=True)
class Client:
    """A client's login (anonymous when ``username`` is empty) and where it publishes."""

    client_id: str
    topic: str
    username: str = ""
    password: str = ""


@dataclass
class Floor:
    out_p99_ms: list[float] = field(default_factory=list)
    back_p99_ms: list[float] = field(default_factory=list)
    #: The round trip: clients answering at once, as they receive it.
    echo_p99_ms: list[float] = field(default_factory=list)
    #: CPU seconds used by the broker, the subscribers and the measuring side.
    out_cpu_s: list[float] = field(default_factory=list)
    back_cpu_s: list[float] = field(default_factory=list)
    echo_cpu_s: list[float] = field(default_factory=list)

    @property
    def echo_ms(self) -> float:
        return statistics.median(self.echo_p99_ms)

    def merged(self, other: Floor) -> Floor:
        """Return the rounds of both measurements together."""
        return Floor(
            *(
                getattr(self, name) + getattr(other, name)
                for name in (
                    "out_p99_ms",
                    "back_p99_ms",
                    "echo_p99_ms",
                    "out_cpu_s",
                    "back_cpu_s",
                    "echo_cpu_s",
                )
            )
        )

    @property
    def out_ms(self) -> float:
        return statistics.median(self.out_p99_ms)

    @property
    def back_ms(self) -> float:
        return statistics.median(self.back_p99_ms)

    @property
    def total_ms(self) -> float:
        """The floor under a round trip: the way out plus the way back (medians of p99)."""
        return self.out_ms + self.back_ms


def subscribers(
    port: int, clients: list[Client], out_topic: str, ready, results, control
) -> None:
    raise_nofile()

    async def main() -> None:
        arrivals: list[float] = []
        connections: list[Connection] = []

        def receiver(index: int):
            def on_message(topic: str, payload: bytes, retained: bool) -> None:
                if payload.startswith(b"echo"):
                    client = clients[index]
                    connections[index].publish(client.topic, payload[4:], 1)
                else:
                    arrivals.append(time.time() - float(payload))

            return on_message

        for index, client in enumerate(clients):
            connections.append(
                await Connection.open(
                    "127.0.0.1",
                    port,
                    client_id=client.client_id,
                    username=client.username or None,
                    password=client.password or None,
                    on_message=receiver(index),
                    keepalive=300,
                )
            )
            if index % 500 == 499:
                await asyncio.sleep(0.05)
        await asyncio.gather(*(c.subscribe([(out_topic, 1)]) for c in connections))
        ready.put("ready")
        loop = asyncio.get_running_loop()
        # The measuring side says when a round is over (the processes do not
        # finish connecting at the same moment).
        for _ in range(ROUNDS):
            await loop.run_in_executor(None, control.get)
            results.put(arrivals[:])
            arrivals.clear()
        # The way back: every client publishes once, as a device acknowledging.
        for _ in range(ROUNDS):
            await loop.run_in_executor(None, control.get)
            for connection, client in zip(connections, clients, strict=True):
                connection.publish(client.topic, str(time.time()).encode(), 1)
            await asyncio.sleep(3)
        # The round trip: answered in on_message; wait for the end.
        await loop.run_in_executor(None, control.get)
        for connection in connections:
            connection.disconnect()
        await asyncio.sleep(0.5)

    run_loop(main())


async def _measure(
    port: int,
    server: Client,
    back_filter: str,
    count: int,
    controls: list,
    results,
    pids: list[int],
) -> Floor:
    """Publish on ``server.topic`` and time the arrivals; then time the way back.

    ``controls`` holds one queue per subscriber process: a token there ends a
    round (the way out) or starts one (the way back).
    """
    workers = len(controls)
    floor = Floor()
    inbox: list[float] = []
    publisher = await Connection.open(
        "127.0.0.1",
        port,
        client_id=server.client_id,
        username=server.username or None,
        password=server.password or None,
        on_message=lambda t, p, r: inbox.append(time.time() - float(p)),
        keepalive=300,
    )
    await publisher.subscribe([(back_filter, 1)])

    def cpu() -> float:
        return sum(cpu_s(pid) for pid in pids)

    broker_pid = pids[-1] if len(pids) > workers + 1 else None

    def broker_cpu() -> float:
        return cpu_s(broker_pid) if broker_pid else 0.0

    for round_number in range(1, ROUNDS + 1):
        before, broker_before = cpu(), broker_cpu()
        await publisher.publish(server.topic, str(time.time()).encode(), 1)
        await asyncio.sleep(3.5)
        floor.out_cpu_s.append(cpu() - before)
        broker_used = broker_cpu() - broker_before
        for control in controls:
            control.put("report")
        arrivals = [x for _ in range(workers) for x in results.get()]
        floor.out_p99_ms.append(percentile(arrivals, 99) * 1000)
        print(
            f"floor out, round {round_number}: {len(arrivals)} of {count}; "
            f"p50 {percentile(arrivals, 50) * 1000:.0f} ms, "
            f"p99 {percentile(arrivals, 99) * 1000:.0f} ms; "
            f"CPU {floor.out_cpu_s[-1]:.2f} s (broker {broker_used:.2f} s)"
        )
    for round_number in range(1, ROUNDS + 1):
        inbox.clear()
        before, broker_before = cpu(), broker_cpu()
        for control in controls:
            control.put("go")
        await asyncio.sleep(3)
        floor.back_cpu_s.append(cpu() - before)
        broker_used = broker_cpu() - broker_before
        floor.back_p99_ms.append(percentile(inbox, 99) * 1000)
        print(
            f"floor back, round {round_number}: {len(inbox)} of {count}; "
            f"p50 {percentile(inbox, 50) * 1000:.0f} ms, "
            f"p99 {percentile(inbox, 99) * 1000:.0f} ms; "
            f"CPU {floor.back_cpu_s[-1]:.2f} s (broker {broker_used:.2f} s)"
        )
    for round_number in range(1, ROUNDS + 1):
        inbox.clear()
        before = cpu()
        sent = time.time()
        await publisher.publish(server.topic, f"echo{sent}".encode(), 1)
        await asyncio.sleep(3.5)
        floor.echo_cpu_s.append(cpu() - before)
        trips = inbox[:]  # each answer carries the time the message was sent
        floor.echo_p99_ms.append(percentile(trips, 99) * 1000)
        print(
            f"floor round trip, round {round_number}: {len(trips)} of {count}; "
            f"p50 {percentile(trips, 50) * 1000:.0f} ms, "
            f"p99 {percentile(trips, 99) * 1000:.0f} ms; "
            f"CPU {floor.echo_cpu_s[-1]:.2f} s"
        )
    for control in controls:
        control.put("done")
    publisher.disconnect()
    return floor


def measure_floor(
    port: int,
    clients: list[Client],
    *,
    processes: int,
    server: Client,
    back_filter: str = "dev/+/evt",
    broker_pid: int | None = None,
) -> Floor:
    """Measure the floor on a running broker.

    ``clients`` subscribe to ``server.topic`` and answer on their own ``topic``;
    ``server`` publishes there and reads
    ``back_filter``. The clients run in ``processes`` processes, like the
    devices they stand for, and leave once measured.
    """
    ready, results = multiprocessing.Queue(), multiprocessing.Queue()
    share = -(-len(clients) // processes)
    parts = [clients[i * share : (i + 1) * share] for i in range(processes)]
    parts = [part for part in parts if part]
    controls = [multiprocessing.Queue() for _ in parts]
    workers = [
        multiprocessing.Process(
            target=subscribers,
            args=(port, part, server.topic, ready, results, control),
        )
        for part, control in zip(parts, controls, strict=True)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=600)
        floor: list[Floor] = []

        async def run() -> None:
            floor.append(
                await _measure(
                    port,
                    server,
                    back_filter,
                    len(clients),
                    controls,
                    results,
                    [
                        *(w.pid for w in workers),
                        os.getpid(),
                        *([broker_pid] if broker_pid else []),
                    ],
                )
            )

        run_loop(run())
        for worker in workers:
            worker.join(15)
        return floor[0]
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()


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
        try:
            floor = measure_floor(
                port,
                [Client(f"s{i}", f"dev/s{i}/evt") for i in range(args.subscribers)],
                processes=args.processes,
                server=Client("server", OUT_TOPIC),
                broker_pid=broker.pid,
            )
            print(
                f"RESULT floor out p99 {floor.out_ms:.0f} ms, back p99 "
                f"{floor.back_ms:.0f} ms, round trip p99 {floor.echo_ms:.0f} ms "
                f"(medians of {ROUNDS} rounds)"
            )
        finally:
            broker.terminate()
            broker.wait(10)


if __name__ == "__main__":
    main()
