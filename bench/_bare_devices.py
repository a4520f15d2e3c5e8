"""Bare devices for ``bench/fanout.py --bare``: each acknowledges and does nothing else.

A real loudspeaker cluster has a CPU of its own; the fleet simulator runs
thousands of full agents on the benchmark machine's two cores, and their
work (state reports, heartbeats, receipts, timers) is most of what the
fan-out figure measures there. These devices log in with their own
credentials, subscribe like an agent, check the seal of each command or
emergency list (``inbound.open_message``: the signature, the topic, the
schema skipped as with ``--no-validate``) and answer it with the same ``ack``
event batch the agent sends, after the same simulated 4G delay each way, and
nothing more: what remains is the broker's and the server side's share of
the latency. All devices of a process receive the same bytes on an area
topic, so the process checks each distinct payload once (a real fleet checks
it once per device, each on its own CPU; ``--verify-each`` makes every
device check it on the benchmark's cores). Receipts on a device's own ``cmd``
topic are received and not opened: a bare device keeps no events to forget.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "agent"))

from grassroots_agent import inbound, protocol  # noqa: E402
from grassroots_agent.mqtt import Connection  # noqa: E402
from grassroots_agent.signing import Keyring, Refused  # noqa: E402
from grassroots_agent.simulator import LINK_DELAY_S, run_loop  # noqa: E402

#: Refused messages, by reason (the benchmark sends none: any is a bug).
REFUSED: dict[str, int] = {}


def open_each(keyring: Keyring, topic: str, payload: bytes) -> dict:
    """Check a seal and decode, as one device alone would (no shared outcome)."""
    return json.loads(keyring.open(topic, payload).body)


async def device(
    spec: dict, conf: dict, factor: float, ids, keyring: Keyring, each: bool
) -> Connection:
    topics = protocol.Topics(conf["root"])
    own_cmd = topics.command(spec["id"])
    rng = random.Random(spec["id"])  # noqa: S311 - simulation
    low, high = LINK_DELAY_S["4g"]
    base = rng.uniform(low, high) * factor
    loop = asyncio.get_running_loop()
    connection: Connection

    def answer(topic: str, payload: bytes) -> None:
        try:
            if each:
                message = open_each(keyring, topic, payload)
            else:
                message, _iat = inbound.open_message(
                    keyring, topic, topic.rsplit("/", 1)[1], payload, validate=False
                )
        except Refused as exc:
            REFUSED[exc.reason] = REFUSED.get(exc.reason, 0) + 1
            return
        if message["type"] == "command":
            refs = [(message["id"], "command", None)]
        elif message["type"] == "emergency":
            refs = [(i["id"], "emergency", i["rev"]) for i in message["active"]]
        else:
            return
        events = [
            {
                "id": f"{spec['id']}-{next(ids)}",
                "kind": "ack",
                "at": protocol.now_iso(),
                "ref": ref,
                "ref_type": ref_type,
                "status": "ok",
                **({"version": rev} if rev is not None else {}),
            }
            for ref, ref_type, rev in refs
        ]
        batch = {
            "v": protocol.VERSION,
            "type": "events",
            "device": spec["id"],
            "boot": "bare",
            "batch": f"{spec['id']}-{next(ids)}",
            "sent_at": protocol.now_iso(),
            "events": events,
        }
        later(connection.publish, topics.events(spec["id"]), protocol.encode(batch), 1)

    def later(callback, *args) -> None:
        """Call after the simulated one-way delay; at once without one."""
        if base > 0:
            loop.call_later(base * (1 + 0.5 * rng.random()), callback, *args)
        else:
            callback(*args)

    def on_message(topic: str, payload: bytes, retained: bool) -> None:
        if topic != own_cmd:
            later(answer, topic, payload)

    connection = await Connection.open(
        conf["host"],
        conf["port"],
        client_id=spec["id"],
        username=spec["id"],
        password=spec["secret"],
        on_message=on_message,
        keepalive=300,
    )
    subscriptions = [(topics.command(spec["id"]), 1)]
    for area in spec["areas"]:
        subscriptions += [
            (topics.area_command(area), 1),
            (topics.area_emergency(area), 1),
        ]
    await connection.subscribe(subscriptions)
    # Tells the benchmark this device is online (a full agent's state is larger).
    connection.publish(
        topics.state(spec["id"]),
        protocol.encode({"device": spec["id"], "online": True}),
        1,
    )
    return connection


async def main(args) -> None:
    conf = json.loads(Path(args.credentials).read_text())
    specs = conf["devices"][args.offset : args.offset + args.devices]
    ids = itertools.count()
    keyring = Keyring(conf["server_keys"])
    connections = []
    for spec in specs:
        connections.append(
            await device(spec, conf, args.delay_factor, ids, keyring, args.verify_each)
        )
        if len(connections) % 500 == 0:
            await asyncio.sleep(0.2)
    while True:
        await asyncio.sleep(5)
        if REFUSED:
            print(f"bare devices refused messages: {REFUSED}", flush=True)


def start(
    credentials: Path,
    count: int,
    offset: int,
    delay_factor: float,
    verify_each: bool = False,
):
    return subprocess.Popen(  # noqa: S603 - this file
        [
            sys.executable,
            __file__,
            "--credentials",
            str(credentials),
            "--devices",
            str(count),
            "--offset",
            str(offset),
            "--delay-factor",
            str(delay_factor),
            *(["--verify-each"] if verify_each else []),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", required=True)
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--delay-factor", type=float, default=1.0)
    parser.add_argument(
        "--verify-each",
        action="store_true",
        help="every device checks the seal itself (the cost of a whole fleet's "
        "verifications on the benchmark's cores)",
    )
    run_loop(main(parser.parse_args()))
