"""Measure the memory of the whole demo: `grassroots run` with its simulated devices.

Starts the supervisor as `make run` does (its Mosquitto, web, worker, gateway
and --devices simulated loudspeaker clusters), waits until the web process
answers and the devices have settled, exercises a few pages, then prints the
resident (RSS) and proportional (PSS, shared pages split fairly) memory of
every process in the tree and the total. Target (issue 2): under 1.5 GB.

    .venv/bin/python bench/memory.py [--devices 200] [--settle 60]

Run it on a migrated database with the demo loaded (`make run` once, or
`grassroots migrate && grassroots load-demo`); it uses port 8000 unless
GRASSROOTS_PORT is set.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil

PAGES = (
    "/",
    "/console/login/",
    "/api/v1/public/bulletins",
    "/phan-anh/",
    "/open311/v2/services.json",
)


def memory(proc: psutil.Process) -> tuple[int, int]:
    try:
        info = proc.memory_full_info()
        return info.rss, getattr(info, "pss", info.rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0, 0


def label(proc: psutil.Process) -> str:
    try:
        cmd = proc.cmdline()
    except psutil.NoSuchProcess:
        return "?"
    text = " ".join(cmd[1:4]) if cmd else proc.name()
    return text.replace(sys.executable, "python")[:60]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument(
        "--settle",
        type=int,
        default=60,
        help="seconds to let devices connect and heartbeat",
    )
    args = parser.parse_args()
    port = os.environ.get("GRASSROOTS_PORT", "8000")
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "grassroots", "run", "--devices", str(args.devices)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(1)
        else:
            print("the web process did not answer in 120 s")
            return 1
        time.sleep(args.settle)
        for path in PAGES * 5:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{path}", timeout=10
                ).read()  # noqa: S310
            except OSError as exc:
                print(f"  {path}: {exc}")
        root = psutil.Process(supervisor.pid)
        rows = [(label(p), *memory(p)) for p in [root, *root.children(recursive=True)]]
        total_rss = sum(r[1] for r in rows)
        total_pss = sum(r[2] for r in rows)
        print(f"{'process':<62} {'RSS MB':>8} {'PSS MB':>8}")
        for name, rss, pss in rows:
            print(f"{name:<62} {rss / 2**20:8.1f} {pss / 2**20:8.1f}")
        print(
            f"{'total (' + str(len(rows)) + ' processes, ' + str(args.devices) + ' devices)':<62} {total_rss / 2**20:8.1f} {total_pss / 2**20:8.1f}"
        )
        return 0
    finally:
        supervisor.send_signal(signal.SIGINT)
        try:
            supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            supervisor.kill()


if __name__ == "__main__":
    sys.exit(main())
