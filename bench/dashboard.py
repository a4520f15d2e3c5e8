"""Benchmark the indicator dashboard on a national data set; print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_i8_bench \
        .venv/bin/python bench/dashboard.py [--hamlets 12] [--people 6] [--runs 5]

Generates (once; --fresh starts again) the national area tree from the
official catalogue (`grassroots import-units --all`: 34 provinces, 3,321
communes), hamlets under every commune, a training roster for every province,
commune and hamlet with courses, sessions and attendance; fills the monthly
snapshots as the worker does; then times the dashboard of a province (a
province administrator) and of the whole country (a superuser) through the
real view, and the web process's memory. Targets (issue 8): province < 500 ms,
national < 2 s, the web process < 1 GB.

The other apps' data is generated too, at the scale of the issue by default:
50,000 loudspeaker clusters with their stations, status and history, 5,000
boards with their history, 10 million play events and 1 million feedback
items (COPY on PostgreSQL; each count is a flag, e.g. ``--play-events
100000`` for a quick run). The generators are in ``bench/_dashboard_data.py``
(GENERATORS): a new app's data is one more function there.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
os.environ.setdefault("GRASSROOTS_DATA_DIR", str(Path("var/bench").resolve()))

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from _dashboard_data import FRESH, GENERATORS  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from grassroots.accounts import actions as account_actions  # noqa: E402
from grassroots.accounts.models import User  # noqa: E402
from grassroots.areas.models import Area, Kind, Level  # noqa: E402
from grassroots.boards.models import Board  # noqa: E402
from grassroots.feedback.models import Feedback  # noqa: E402
from grassroots.indicators import snapshots  # noqa: E402
from grassroots.indicators.models import Snapshot  # noqa: E402
from grassroots.loudspeakers.models import Cluster, PlayEvent  # noqa: E402
from grassroots.training.models import Attendance, Official  # noqa: E402

D = datetime.date
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway bench account


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1024 / 1024


def step(label: str):
    started = time.perf_counter()

    class Done:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)

    return Done()


def generate_hamlets(per_commune: int) -> None:
    communes = list(Area.objects.communes().active())
    have = set(Area.objects.hamlets().values_list("parent_id", flat=True).distinct())
    rows = [
        Area(
            parent=c,
            code=f"H{i:02d}",
            name=f"Ấp {i}",
            kind=Kind.HAMLET,
            level=Level.HAMLET,
            path=f"{c.path}H{i:02d}/",
        )
        for c in communes
        if c.pk not in have
        for i in range(1, per_commune + 1)
    ]
    Area.objects.bulk_create(rows, batch_size=5000)


def empty(models) -> None:
    """Delete the generated rows (TRUNCATE on PostgreSQL: millions of rows)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")  # noqa: S608 - our table names
        return
    for model in models:
        model.objects.all().delete()


def timed_get(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return times[0], statistics.median(times[1:] or times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hamlets", type=int, default=12, help="hamlets per commune")
    parser.add_argument("--people", type=int, default=6, help="roster per commune")
    parser.add_argument("--clusters", type=int, default=50_000)
    parser.add_argument("--boards", type=int, default=5_000)
    parser.add_argument("--play-events", type=int, default=10_000_000)
    parser.add_argument("--feedback", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="delete and regenerate")
    parser.add_argument(
        "--measure", action="store_true", help=argparse.SUPPRESS
    )  # the timing half, run in a fresh process like a web worker
    args = parser.parse_args()
    if args.measure:
        measure(args.runs)
        return
    rng = random.Random(8)  # noqa: S311 - bench data
    print(f"Database: {connection.vendor}; machine: {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB")  # fmt: skip
    call_command("migrate", verbosity=0)
    if args.fresh:
        with step("--fresh: emptying the generated tables"):
            empty([*FRESH, Snapshot])
    with step("national area tree (import-units --all)"):
        call_command("import_units", all=True, verbosity=0)
    with step(f"hamlets ({args.hamlets} per commune)"):
        generate_hamlets(args.hamlets)
    for generate in GENERATORS:
        with step(generate.__name__):
            generate(args, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    print(
        f"  data: {Area.objects.communes().count()} communes, "
        f"{Area.objects.hamlets().count()} hamlets, {Official.objects.count()} "
        f"people on rosters, {Attendance.objects.count()} attendance records, "
        f"{Cluster.objects.count()} clusters, {Board.objects.count()} boards, "
        f"{PlayEvent.objects.count()} play events, "
        f"{Feedback.objects.count()} feedback items"
    )
    with step("monthly snapshots, first fill (24 months)"):
        written = snapshots.refresh(history=24)
    print(f"  snapshots written: {written}")
    with step("monthly snapshots, hourly run (nothing missing)"):
        snapshots.refresh(history=24)
    with step("provisional snapshots of the open month (the worker, every 5 min)"):
        written = snapshots.refresh_provisional()
    print(f"  provisional snapshots written: {written}")
    import subprocess

    subprocess.run(  # noqa: S603 - this script, in a fresh process
        [sys.executable, __file__, "--measure", "--runs", str(args.runs)],
        check=True,
    )


def measure(runs: int) -> None:
    superuser = User.objects.filter(username="bench-admin").first()
    if superuser is None:
        superuser = User.objects.create_superuser("bench-admin", "", PASSWORD)
    province = Area.objects.get(code="79", level=Level.PROVINCE)  # Hồ Chí Minh
    admin = User.objects.filter(username="bench-province").first()
    if admin is None:
        admin = account_actions.create_user(
            None,
            username="bench-province",
            password=PASSWORD,
            area=province,
            check_password=False,
        )
        account_actions.grant_role(None, admin, "administrator", province)
    period = "from=01/01/2025&to=31/12/2025"
    current = f"from=01/01/{datetime.date.today().year}"  # noqa: DTZ011
    cases = [
        ("province, year 2025", admin, f"/console/indicators/?{period}"),
        ("province, this year", admin, f"/console/indicators/?{current}"),
        ("national, year 2025", superuser, f"/console/indicators/?area=all&{period}"),
        ("national, this year", superuser, f"/console/indicators/?area=all&{current}"),
        ("province, this year, live", admin, f"/console/indicators/?{current}&live=1"),
        (
            "national, this year, live",
            superuser,
            f"/console/indicators/?area=all&{current}&live=1",
        ),
    ]
    if snapshots.provisional_due():
        # As the worker would have, minutes before.
        with step("provisional snapshots (older than the refresh period)"):
            snapshots.refresh_provisional()
    print(f"Dashboard ({runs} requests each; first = cold, then median):")
    for label, user, url in cases:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        cold, warm, size = timed_get(client, url, runs)
        print(f"  {label:<22} first {cold:7.0f} ms   median {warm:7.0f} ms   "
              f"{size / 1024:.0f} KiB")  # fmt: skip
    print(f"Web process resident memory after the runs: {rss_mb():.0f} MB")
    with step("grassroots indicators --area all (this year)"):
        call_command("indicators", area="all", stdout=open(os.devnull, "w"))  # noqa: SIM115


if __name__ == "__main__":
    main()
