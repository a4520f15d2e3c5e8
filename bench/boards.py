"""E-bulletin boards (issue 6): push to many open players, playlists, proof of display.

Loads Đồng Tháp's communes and N boards into a fresh database, then measures:

1. push: every board holds its server-sent event stream open to one uvicorn
   process (the real middleware stack); then an emergency takeover of the
   whole province, and a bulletin published for one commune, are timed from
   the action's commit to each player's receipt (p50/p95/max); the web
   process's memory and threads, idle and with N open streams;
2. playlist: building one board's playlist (30 bulletins, 5 items), in ms;
3. reports: display events recorded per second (batches of 100).

    .venv/bin/python bench/boards.py --boards 500
    .venv/bin/python bench/boards.py --boards 500 --database postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/gr_i6_bench

Results go to docs/benchmarks.md (with the machine: ``nproc``, ``free -g``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _django import setup_django  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50):.0f} ms, p95 {percentile(values, 95):.0f} ms, "
        f"max {max(values):.0f} ms"
    )


def load(count: int):
    from django.core.management import call_command

    from grassroots.accounts.models import User
    from grassroots.areas import actions as area_actions
    from grassroots.areas.models import Area, Level
    from grassroots.boards import actions
    from grassroots.bulletins import actions as bulletin_actions
    from grassroots.bulletins.models import Category

    call_command("migrate", verbosity=0)
    area_actions.import_catalogue([82])
    province = Area.objects.get(level=Level.PROVINCE, code="82")
    communes = list(Area.objects.filter(level=Level.COMMUNE, parent=province))
    boards = [
        actions.register_board(
            None,
            area=communes[i % len(communes)],
            code=f"BENCH-{i:05d}",
            name=f"Bảng tin {i}",
        )
        for i in range(count)
    ]
    author = User.objects.create(username="bench.editor", is_staff=True)
    category = Category.objects.first()

    def publish(area, title: str, level: str = "normal"):
        bulletin = bulletin_actions.create_bulletin(
            None,
            bulletin_actions.BulletinContent(
                title=title,
                summary="Người dân chú ý theo dõi thông tin trên loa và bảng tin.",
                body="<p>"
                + "Nội dung hướng dẫn chi tiết cho người dân. " * 20
                + "</p>",
                category=category,
                level=level,
                issuing_area=area,
                target_areas=[area],
            ),
        )
        # Straight to published: the bench measures the boards, not approval.
        bulletin_actions.publish_revision(bulletin, bulletin.get_latest_revision())
        return bulletin

    for i in range(30):
        publish(communes[0], f"Bản tin số {i} của xã")
    for i in range(5):
        actions.save_item(
            None,
            actions.ItemContent(
                area=communes[0], kind="text", title=f"Thông báo {i}", text="Nội dung."
            ),
        )
    return province, communes, boards, publish, author


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def listen(port: int, path: str, ready: asyncio.Event, counter: list, got: dict):
    """Hold one board's stream open; note when each named event arrives."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    hello = False
    while True:
        line = await reader.readline()
        if not line:
            return
        text = line.decode(errors="replace").strip()
        if text.startswith("event: "):
            name = text[7:]
            if name == "hello" and not hello:
                hello = True
                counter[0] += 1
                if counter[0] == counter[1]:
                    ready.set()
            else:
                got.setdefault(name, []).append(time.time())


async def bench_push(args, province, communes, boards, publish) -> dict:
    import psutil
    from asgiref.sync import sync_to_async

    from grassroots.boards import actions

    port = free_port()
    env = {**os.environ, "GRASSROOTS_PORT": str(port)}
    server = subprocess.Popen(  # noqa: S603 - our own uvicorn
        [
            sys.executable,
            "-m",
            "uvicorn",
            "grassroots.asgi:application",
            "--port",
            str(port),
            "--no-access-log",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "2",
        ],
        env=env,
    )
    process = psutil.Process(server.pid)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        idle = (process.memory_info().rss, process.num_threads())
        ready = asyncio.Event()
        counter = [0, len(boards)]
        got: dict = {}
        tasks = []
        started = time.monotonic()
        for board in boards:
            tasks.append(
                asyncio.create_task(
                    listen(port, f"{board.player_path}events", ready, counter, got)
                )
            )
            await asyncio.sleep(0.002)
        await asyncio.wait_for(ready.wait(), 120)
        connect_s = time.monotonic() - started
        await asyncio.sleep(2)
        loaded = (process.memory_info().rss, process.num_threads())

        t0 = time.time()
        await sync_to_async(actions.take_over)(
            emergency_id=f"bench-{uuid.uuid4().hex[:8]}",
            area_paths=[province.path],
            title="Bão số 9 đổ bộ",
            text="Người dân ở trong nhà, tránh xa sông.",
            level="emergency",
            actor=None,
        )
        while len(got.get("takeover", [])) < len(boards) and time.time() - t0 < 20:
            await asyncio.sleep(0.05)
        takeover = [(t - t0) * 1000 for t in got.get("takeover", [])]

        t0 = time.time()
        await sync_to_async(publish)(communes[1], "Bản tin mới cho một xã")
        await asyncio.sleep(3)
        refresh = [(t - t0) * 1000 for t in got.get("refresh", [])]
        for task in tasks:
            task.cancel()
        return {
            "boards": len(boards),
            "connect_s": connect_s,
            "idle_rss": idle[0],
            "idle_threads": idle[1],
            "rss": loaded[0],
            "threads": loaded[1],
            "takeover": takeover,
            "refresh": refresh,
        }
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def bench_playlist(board, rounds: int = 50) -> list[float]:
    from grassroots.boards import playlist

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        data = playlist.build(board, base=board.player_path)
        times.append((time.perf_counter() - started) * 1000)
    assert len(data["entries"]) == 35, len(data["entries"])
    return times


def bench_reports(board, batches: int = 20) -> float:
    from django.utils import timezone

    from grassroots.boards import actions
    from grassroots.boards.models import BoardItem

    item = BoardItem.objects.first()
    now = timezone.now()
    started = time.perf_counter()
    for b in range(batches):
        events = [
            actions.ShownEvent(
                event_id=uuid.uuid4(),
                key=item.key,
                started_at=now - timedelta(minutes=30, seconds=b * 100 + i),
                duration_ms=1000,
            )
            for i in range(100)
        ]
        result = actions.record_report(board, events=events)
        assert len(result.accepted) == 100
    return batches * 100 / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--boards", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/gr_i6_bench"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="boards-bench-") as data_dir:
        args.data_dir = data_dir
        setup_django(args)
        started = time.monotonic()
        province, communes, boards, publish, _author = load(args.boards)
        print(
            f"Loaded {len(boards)} boards in {time.monotonic() - started:.0f} s ({args.database})"
        )
        push = asyncio.run(bench_push(args, province, communes, boards, publish))
        mb = 1024 * 1024
        print(f"push: {push['boards']} open streams in {push['connect_s']:.1f} s")
        print(
            f"  web process: idle {push['idle_rss'] / mb:.0f} MB, {push['idle_threads']} threads; "
            f"with the streams {push['rss'] / mb:.0f} MB, {push['threads']} threads "
            f"({(push['rss'] - push['idle_rss']) / push['boards'] / 1024:.0f} KB a stream)"
        )
        print(
            f"  takeover of the province reached {len(push['takeover'])} boards: {summary(push['takeover'])}"
        )
        if push["refresh"]:
            print(
                f"  bulletin for one commune reached {len(push['refresh'])} boards: {summary(push['refresh'])}"
            )
        board = next(b for b in boards if b.area_id == communes[0].pk)
        print(f"playlist of one board (35 entries): {summary(bench_playlist(board))}")
        print(f"reports: {bench_reports(board):.0f} display events recorded a second")
        print(
            f"machine: {os.cpu_count()} cores; {statistics.__name__ and ''}".rstrip(
                "; "
            )
        )


if __name__ == "__main__":
    main()
