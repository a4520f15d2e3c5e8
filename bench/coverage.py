"""Benchmark the coverage table of bulletins: how fast it absorbs play events, how fast
the report and the indicator read it; print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_dissem_bench \
        .venv/bin/python bench/coverage.py [--events 1000000] [--communes 100]

Generates (once; --fresh starts again) a province of ``--communes`` communes
with 10 hamlets each and 5 clusters per hamlet, 200 published essential
bulletins (a fifth province-wide, the rest for one to three communes), then
feeds play events through the gateway's real write path
(``loudspeakers.actions.reports.record_reports``, which stores the events and
calls the coverage hook in its transaction) in gateway-sized batches (5,000
events from ~500 devices), until ``--events`` are stored. It prints the rate
with the hook and, on a sample, without it (the hook's cost), then times the
report of a province-wide bulletin (all clusters), the console page, and the
indicator for the province and its communes (``compute_many``).

What 50,000 clusters generate: a cluster airs some 20-30 items a day, two or
three events each: ~3 million events a day, 35 events/s on average; the peak
is a programme that starts everywhere at 6:00, 50,000 × 2 events within a
minute or two, under 1,000 events/s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
os.environ.setdefault("GRASSROOTS_DATA_DIR", str(Path("var/bench").resolve()))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from grassroots.accounts.models import User  # noqa: E402
from grassroots.areas.models import Area, Kind, Level  # noqa: E402
from grassroots.bulletins.models import Bulletin, Category  # noqa: E402
from grassroots.dissemination import report  # noqa: E402
from grassroots.dissemination.coverage import on_play_events  # noqa: E402
from grassroots.dissemination.models import AreaCoverage, ClusterCoverage  # noqa: E402
from grassroots.indicators import registry  # noqa: E402
from grassroots.loudspeakers import playables  # noqa: E402
from grassroots.loudspeakers.actions import reports  # noqa: E402
from grassroots.loudspeakers.models import Cluster, PlayEvent, Station  # noqa: E402
from grassroots.loudspeakers.signals import play_events_arriving  # noqa: E402

PROVINCE = "BENCHCOV"
BULLETINS = 200
BATCH_EVENTS = 5000
EVENTS_PER_MESSAGE = 10


def generate_tree(communes: int) -> Area:
    province = Area.objects.filter(code=PROVINCE).first()
    if province is not None:
        return province
    province = Area.objects.create(
        code=PROVINCE,
        name="Tỉnh Đo Thử",
        kind=Kind.PROVINCE,
        level=Level.PROVINCE,
        path=f"{PROVINCE}/",
    )
    rows = [
        Area(
            parent=province,
            code=f"C{i:04d}",
            name=f"Xã {i}",
            kind=Kind.COMMUNE,
            level=Level.COMMUNE,
            path=f"{PROVINCE}/C{i:04d}/",
        )
        for i in range(communes)
    ]
    Area.objects.bulk_create(rows)
    communes_made = list(Area.objects.filter(parent=province))
    Area.objects.bulk_create(
        [
            Area(
                parent=c,
                code=f"H{j:02d}",
                name=f"Ấp {j}",
                kind=Kind.HAMLET,
                level=Level.HAMLET,
                path=f"{c.path}H{j:02d}/",
            )
            for c in communes_made
            for j in range(10)
        ]
    )
    Station.objects.bulk_create(
        [Station(commune=c, name=f"Đài {c.name}") for c in communes_made]
    )
    stations = {
        s.commune_id: s for s in Station.objects.filter(commune__in=communes_made)
    }
    hamlets = Area.objects.filter(path__under=province.path, level=Level.HAMLET)
    Cluster.objects.bulk_create(
        [
            Cluster(
                station=stations[h.parent_id],
                area=h,
                code=f"{PROVINCE}-{h.parent.code}-{h.code}-{k}",
                name=f"Cụm {k}",
            )
            for h in hamlets.select_related("parent")
            for k in range(5)
        ],
        batch_size=5000,
    )
    return province


def generate_bulletins(province: Area, rng: random.Random) -> list[Bulletin]:
    existing = list(Bulletin.objects.filter(issuing_area=province))
    if existing:
        return existing
    category = Category.objects.first()
    communes = list(Area.objects.filter(parent=province))
    now = timezone.now()
    made = []
    through = Bulletin.target_areas.through
    for i in range(BULLETINS):
        bulletin = Bulletin.objects.create(
            title=f"Bản tin đo thử {i}",
            category=category,
            issuing_area=province,
            status="published",
            live=True,
            first_published_at=now - datetime.timedelta(days=rng.randint(0, 20)),
        )
        if i % 5:
            through.objects.bulk_create(
                [
                    through(bulletin_id=bulletin.pk, area_id=c.pk)
                    for c in rng.sample(communes, rng.randint(1, 3))
                ]
            )
        made.append(bulletin)
    return made


def event_stream(bulletins: list[Bulletin], rng: random.Random):
    """Yield (cluster id, event dict) as clusters air the bulletins, forever."""
    clusters = list(Cluster.objects.values_list("pk", "area__path"))
    by_bulletin = []
    for bulletin in bulletins:
        paths = [a.path for a in bulletin.target_areas.all()] or [
            bulletin.issuing_area.path
        ]
        mine = [pk for pk, path in clusters if any(path.startswith(p) for p in paths)]
        by_bulletin.append((bulletin.pk, mine))
    at = timezone.now() - datetime.timedelta(days=10)
    while True:
        bulletin_id, mine = rng.choice(by_bulletin)
        item = playables.bulletin_item_id(bulletin_id, "prog", rng.randint(1, 50))
        at += datetime.timedelta(seconds=1)
        for cluster_id in mine:
            roll = rng.random()
            kinds = (
                ["failed"]
                if roll < 0.03
                else ["started", "preempted"]
                if roll < 0.05
                else ["started", "finished"]
            )
            for kind in kinds:
                yield (
                    cluster_id,
                    {
                        "id": uuid.uuid4().hex[:20],
                        "kind": kind,
                        "at": at.isoformat(),
                        "item": item,
                        "source": "schedule",
                        "reason": "missed" if kind == "failed" else "",
                    },
                )


def batches(stream, total: int):
    """Yield gateway-sized batches of reports until ``total`` events."""
    sent = 0
    while sent < total:
        by_cluster: dict[int, list[dict]] = {}
        count = 0
        while count < BATCH_EVENTS:
            cluster_id, event = next(stream)
            by_cluster.setdefault(cluster_id, []).append(event)
            count += 1
        reports_ = []
        now = timezone.now()
        for cluster_id, events in by_cluster.items():
            for i in range(0, len(events), EVENTS_PER_MESSAGE):
                reports_.append(
                    (
                        cluster_id,
                        {
                            "device": str(cluster_id),
                            "batch": uuid.uuid4().hex[:12],
                            "events": events[i : i + EVENTS_PER_MESSAGE],
                        },
                        now,
                    )
                )
        sent += count
        yield count, reports_


def feed(stream, total: int) -> float:
    """Store ``total`` events through the gateway's write path; return events/s."""
    started = time.perf_counter()
    done = 0
    last = started
    for count, reports_ in batches(stream, total):
        reports.record_reports([], reports_)
        done += count
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            rate = done / (last - started)
            print(f"  … {done:,} events, {rate:,.0f}/s", flush=True)
    return done / (time.perf_counter() - started)


def timed(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.fresh:
        ClusterCoverage.objects.all().delete()
        AreaCoverage.objects.all().delete()
        PlayEvent.objects.filter(cluster__area__path__under=f"{PROVINCE}/").delete()
    rng = random.Random(8)
    province = generate_tree(args.communes)
    bulletins = generate_bulletins(province, rng)
    clusters = Cluster.objects.filter(area__path__under=province.path).count()
    print(
        f"database: {connection.vendor}; {clusters:,} clusters, {len(bulletins)} bulletins"
    )
    stream = event_stream(bulletins, rng)

    have = PlayEvent.objects.count()
    todo = max(args.events - have, 0)
    if todo:
        # The hook's cost: the same write path without it, on a sample.
        play_events_arriving.disconnect(dispatch_uid="dissemination")
        without = feed(stream, min(args.sample, todo))
        play_events_arriving.connect(on_play_events, dispatch_uid="dissemination")
        PlayEvent.objects.filter(
            pk__in=PlayEvent.objects.order_by("-pk").values("pk")[
                : min(args.sample, todo)
            ]
        ).delete()
        print(f"write path without the coverage hook: {without:,.0f} events/s")
        rate = feed(stream, todo)
        print(
            f"write path with the coverage hook:    {rate:,.0f} events/s ({todo:,} events)"
        )
    print(
        f"stored: {PlayEvent.objects.count():,} play events, "
        f"{ClusterCoverage.objects.count():,} cluster rows, "
        f"{AreaCoverage.objects.count():,} area rows"
    )

    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them on a live system.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    wide = next(b for b in bulletins if not b.target_areas.exists())
    print(
        f"report of a province-wide bulletin (build, {clusters:,} clusters): "
        f"{timed(lambda: report.build(wide, None)):.0f} ms"
    )
    commune = Area.objects.filter(parent=province).order_by("path").first()
    print(
        f"report of it for one commune: "
        f"{timed(lambda: report.build(wide, [commune.path])):.0f} ms"
    )
    admin, _ = User.objects.get_or_create(
        username="bench-coverage", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)

    def page():
        response = client.get(f"/console/dissemination/{wide.pk}/")
        assert response.status_code == 200, response.status_code

    print(f"console report page: {timed(page):.0f} ms")
    print(
        f"console list page: {timed(lambda: client.get('/console/dissemination/')):.0f} ms"
    )
    indicator = registry.get("essential_disseminated")
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    print(
        f"indicator, province, 30 days: "
        f"{timed(lambda: indicator.compute(province, start, today)):.0f} ms "
        f"→ {indicator.compute(province, start, today).value}%"
    )
    communes = list(Area.objects.filter(parent=province))
    print(
        f"indicator, {len(communes)} communes (compute_many): "
        f"{timed(lambda: indicator.compute_many(communes, start, today)):.0f} ms"
    )


if __name__ == "__main__":
    main()
