"""Web Push of an emergency to many phones: the fan-out, then one worker's sending rate.

    .venv/bin/python bench/push.py --subscriptions 100000 --send 3000

1. Stores N subscriptions for the hamlets of a test tree (one database of its
   own, SQLite by default; ``--database postgres``).
2. Publishes an emergency for the commune and times ``push_bulletin``: the
   query of the phones it reaches and the queuing of their sending jobs (in
   huey's real queue: SQLite, or Redis with ``--redis-url``). Target: < 5 s.
3. Runs sending jobs in this process (one worker) against the local push
   service of the tests (``citizen/tests/pushservice.py``, on loopback),
   encrypting each message (RFC 8291) and signing VAPID: messages a second,
   and the worker's memory (RSS) before and after.

Prints the figures; record them in docs/benchmarks.md with the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--subscriptions", type=int, default=100_000)
    p.add_argument("--send", type=int, default=3000, help="messages sent for the rate")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/gr_bench_push"
    )
    p.add_argument("--redis-url", default="", help="huey on Redis instead of SQLite")
    p.add_argument("--data-dir", default=tempfile.mkdtemp(prefix="gr-bench-push-"))
    return p.parse_args()


def main() -> None:
    args = parse_args()
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    setup_django(args)
    import psutil
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from grassroots.bulletins import channels
    from grassroots.bulletins.tests.builders import make_people, make_published
    from grassroots.citizen import push as push_module
    from grassroots.citizen import tasks
    from grassroots.citizen.models import PushSubscription, PushTally
    from grassroots.citizen.tests.pushservice import BrowserKeys, PushService
    from grassroots.testing import make_tree

    service = PushService(keep=False)
    settings.GRASSROOTS_PUSH_ALLOW_HTTP = True
    settings.GRASSROOTS_PUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    tree = make_tree()
    people = make_people(tree)
    keys = BrowserKeys()
    hamlets = [tree.hamlet_a1, tree.hamlet_a2]
    started = time.perf_counter()
    through = PushSubscription.areas.through
    step = 10_000
    for first in range(0, args.subscriptions, step):
        count = min(step, args.subscriptions - first)
        made = PushSubscription.objects.bulk_create(
            PushSubscription(
                endpoint=service.endpoint(f"p{first + i}"),
                p256dh=keys.p256dh,
                auth=keys.auth,
            )
            for i in range(count)
        )
        if made[0].pk is None:  # backends that do not return ids
            made = list(PushSubscription.objects.order_by("-pk")[:count])
        through.objects.bulk_create(
            through(pushsubscription_id=s.pk, area_id=hamlets[s.pk % 2].pk)
            for s in made
        )
    print(
        f"stored {args.subscriptions} subscriptions in {time.perf_counter() - started:.1f} s"
    )

    # Publish without the channel handler, then time the fan-out alone.
    channels.unregister("portal", push_module.on_bulletin_event)
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Khẩn cấp: lũ lên nhanh",
        summary="Di dời ngay người già và trẻ em.",
        level="emergency",
        category="thien-tai",
    )
    queue = tasks.send_bulletin_batch.huey
    queue.flush()
    started = time.perf_counter()
    reached = tasks.push_bulletin.call_local(bulletin.pk)
    queued_s = time.perf_counter() - started
    jobs = queue.pending_count()
    print(
        f"emergency to {reached} subscriptions queued in {queued_s:.2f} s "
        f"({jobs} jobs of {tasks.BATCH}, huey {type(queue).__name__})"
    )
    queue.flush()

    process = psutil.Process()
    rss_before = process.memory_info().rss
    found = list(push_module.subscribers(bulletin).items())[: args.send]
    started = time.perf_counter()
    for first in range(0, len(found), tasks.BATCH):
        tasks.send_bulletin_batch.call_local(
            bulletin.pk, [list(x) for x in found[first : first + tasks.BATCH]]
        )
    sent_s = time.perf_counter() - started
    rss_after = process.memory_info().rss
    reached_rows = sum(PushTally.objects.values_list("reached", flat=True))
    print(
        f"one worker sent {len(found)} pushes in {sent_s:.1f} s: "
        f"{len(found) / sent_s:.0f} messages/s; service received {service.count}, "
        f"tallied reached {reached_rows}"
    )
    print(
        f"worker memory (RSS): {rss_before / 2**20:.0f} MiB before sending, "
        f"{rss_after / 2**20:.0f} MiB after"
    )
    service.stop()


if __name__ == "__main__":
    main()
