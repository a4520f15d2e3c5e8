"""Sustained intake through the Open311 API, as production runs it.

Starts PostgreSQL-backed uvicorn workers (production settings, Redis for the
shared cache and queue), then keeps C keep-alive connections posting
``requests.json`` for D seconds. At the end every 201 must be a row in the
database: the row count grows by exactly the number of 201s, and each
returned ``service_request_id`` is found.

    .venv/bin/python bench/intake.py --duration 30 --connections 32 --workers 2

Prints the figures; record them in docs/benchmarks.md with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "Đoạn đường trước chợ có nhiều ổ gà lớn, trời mưa đọng nước, xe máy đi qua dễ té ngã",
    "Rác thải tập kết đầu hẻm đã ba ngày chưa được thu gom, bốc mùi hôi thối khó chịu",
    "Đèn đường trên tuyến liên ấp tắt cả tuần nay, ban đêm tối om, người dân lo ngại",
    "Nhóm thanh niên tụ tập đua xe, nẹt pô trên đường đê sau mười giờ đêm mỗi tối",
    "Kênh nội đồng bồi lắng, lục bình phủ kín, nước không vào ruộng để tưới lúa được",
]
REQUESTS_PER_CONNECTION = 20
SERVICES = ["duong-sa", "moi-truong", "chieu-sang", "an-ninh-trat-tu", "nuoc-sach"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gr_i7"
        ),
    )
    p.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
    )
    p.add_argument(
        "--port", type=int, default=int(os.environ.get("GRASSROOTS_PORT", "8107"))
    )
    p.add_argument("--workers", type=int, default=2, help="web worker processes")
    p.add_argument(
        "--server",
        choices=["uvicorn", "gunicorn"],
        default="uvicorn",
        help="uvicorn (ASGI, as grassroots run starts it) or gunicorn (WSGI)",
    )
    p.add_argument(
        "--connections", type=int, default=32, help="concurrent keep-alive connections"
    )
    p.add_argument(
        "--duration", type=float, default=30.0, help="seconds of sustained load"
    )
    p.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of load before measuring"
    )
    return p.parse_args()


def server_env(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GRASSROOTS_DATA_DIR": data_dir,
        "GRASSROOTS_LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def manage(env: dict[str, str], *argv: str) -> str:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "grassroots", *argv],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo areas and make an unthrottled client; return its key."""
    manage(env, "migrate", "--no-input", "-v", "0")
    code = (
        "from grassroots.areas import demo; from grassroots.feedback import actions;"
        "demo.load(lambda s: None);"
        "c, k = actions.create_api_client(None, name='bench', per_minute=0); print(k)"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def count_rows(env: dict[str, str]) -> int:
    code = "from grassroots.feedback.models import Feedback; print(Feedback.objects.count())"
    return int(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def count_codes(env: dict[str, str], codes: list[str]) -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(codes))
    code = (
        "from grassroots.feedback.models import Feedback;"
        f"codes = open({handle.name!r}).read().split();"
        "print(sum(Feedback.objects.filter(code__in=codes[i:i+5000]).count()"
        " for i in range(0, len(codes), 5000)))"
    )
    try:
        return int(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    finally:
        os.unlink(handle.name)


def server_cpu(pid: int) -> float:
    """Return CPU seconds used so far by the server and its workers."""
    import psutil

    parent = psutil.Process(pid)
    total = 0.0
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def wait_ready(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz",
                headers={"X-Forwarded-Proto": "https"},  # as nginx sends it
            )
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


class Stats:
    def __init__(self) -> None:
        self.created: list[str] = []
        self.latencies: list[float] = []
        self.errors: dict[int, int] = {}
        self.measuring = False
        self.measured = 0


def body_for(key: str, rng: random.Random) -> bytes:
    lat = 10.26 + rng.random() * 0.25
    lon = 105.60 + rng.random() * 0.8
    fields = {
        "api_key": key,
        "jurisdiction_id": "82",
        "service_code": rng.choice(SERVICES),
        "description": f"{rng.choice(TEXTS)} (mã {rng.randint(1, 10**9)})",
        "lat": f"{lat:.5f}",
        "long": f"{lon:.5f}",
    }
    if rng.random() < 0.1:  # some leave a phone number: one notification queued each
        fields["phone"] = f"09{rng.randint(10**7, 10**8 - 1)}"
    return urllib.parse.urlencode(fields).encode()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    at = head.lower().find(b"content-length:")
    length = int(head[at + 15 : head.find(b"\r\n", at)]) if at >= 0 else 0
    return status, await reader.readexactly(length)


async def connection(
    port: int, key: str, stats: Stats, stop_at: float, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 - load generation
    # Requests made ahead, so the load generator spends its CPU on sending.
    requests = []
    for _ in range(200):
        body = body_for(key, rng)
        requests.append(
            b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Forwarded-Proto: https\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        while time.monotonic() < stop_at:
            if sent and sent % REQUESTS_PER_CONNECTION == 0:
                # New connections from time to time, as nginx's upstream pool
                # does, so the kernel spreads them over all the workers.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(requests[sent % len(requests)])
            sent += 1
            status, payload = await read_response(reader)
            elapsed = time.perf_counter() - started
            if status == 201:
                at = payload.find(b'"service_request_id": "') + 23
                stats.created.append(payload[at : payload.find(b'"', at)].decode())
            else:
                stats.errors[status] = stats.errors.get(status, 0) + 1
            if stats.measuring:
                stats.measured += status == 201
                stats.latencies.append(elapsed)
    finally:
        writer.close()


async def load(args: argparse.Namespace, key: str, stats: Stats) -> float:
    start = time.monotonic()
    stop_at = start + args.warmup + args.duration
    base_seed = (
        time.time_ns()
    )  # new phone numbers each run: contact limits hold across runs
    tasks = [
        asyncio.create_task(connection(args.port, key, stats, stop_at, base_seed + n))
        for n in range(args.connections)
    ]
    await asyncio.sleep(args.warmup)
    stats.measuring = True
    measured_from = time.monotonic()
    await asyncio.gather(*tasks)
    return time.monotonic() - measured_from


def run_load(args: argparse.Namespace, key: str, stats: Stats) -> float:
    try:
        import uvloop
    except ImportError:  # the plain loop works, only slower
        return asyncio.run(load(args, key, stats))
    return uvloop.run(load(args, key, stats))


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="gr-bench-")
    env = server_env(args, data_dir)
    print(f"Preparing {args.database_url} ...", flush=True)
    key = prepare(env)
    before = count_rows(env)
    if args.server == "gunicorn":
        argv = [
            sys.executable, "-m", "gunicorn", "grassroots.wsgi:application",
            "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
            "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
        ]  # fmt: skip
    else:
        argv = [
            sys.executable, "-m", "uvicorn", "grassroots.asgi:application",
            "--host", "127.0.0.1", "--port", str(args.port),
            "--workers", str(args.workers), "--no-access-log", "--lifespan", "off",
        ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 - our own server
        argv, env=env, cwd=ROOT, start_new_session=True
    )
    try:
        wait_ready(args.port)
        stats = Stats()
        cpu_before = server_cpu(server.pid)
        seconds = run_load(args, key, stats)
        cpu_used = server_cpu(server.pid) - cpu_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    after = count_rows(env)
    found = count_codes(env, stats.created)
    created = len(stats.created)
    lat = sorted(stats.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else float("nan")

    print(
        f"machine: {os.cpu_count()} cores; {args.server} workers: {args.workers}; "
        f"connections: {args.connections}; measured {seconds:.1f} s after {args.warmup:.0f} s warm-up"
    )
    print(f"submissions/s (201, measured window): {stats.measured / seconds:.1f}")
    print(
        f"latency ms: p50 {pct(0.5):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}  "
        f"mean {statistics.fmean(lat) * 1000 if lat else float('nan'):.1f}"
    )
    print(
        f"server CPU: {cpu_used / (seconds + args.warmup):.2f} cores busy, "
        f"{cpu_used / max(created, 1) * 1000:.1f} ms per submission (web workers only)"
    )
    print(f"201 responses: {created}; other responses: {stats.errors or 'none'}")
    print(f"rows added: {after - before}; returned ids found: {found}")
    lost = created - found
    print(
        f"lost: {lost}"
        + (
            ""
            if after - before == created
            else f"  (row count differs by {after - before - created})"
        )
    )
    if lost or after - before != created:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
