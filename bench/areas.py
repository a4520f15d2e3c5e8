"""Measure "everything under this area" on a national tree.

Builds the whole country from the catalogue (34 provinces, 3,321 communes) plus
generated hamlets (default 30 per commune, about 100,000), then times subtree
queries on the materialised path: counts under a province and under a commune,
and a join through role assignments (the scope rule's shape).

    DATABASE_URL=postgres://... python bench/areas.py [--hamlets-per-commune 30]

Runs against a throw-away database: SQLite in a temporary directory, or
``<DATABASE_URL's name>_bench`` on PostgreSQL (created and dropped).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
os.environ.setdefault("GRASSROOTS_DATA_DIR", tempfile.mkdtemp(prefix="gr-bench-"))


def timed(fn, repeat: int = 50) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hamlets-per-commune", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from grassroots.accounts.models import RoleAssignment
    from grassroots.areas import actions
    from grassroots.areas.models import Area, Kind, Level
    from grassroots.testing import make_user

    old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        start = time.perf_counter()
        actions.import_catalogue(None)
        communes = list(Area.objects.communes())
        hamlets = [
            Area(
                parent=c,
                code=f"H{i:02d}",
                name=f"Ấp {i}",
                kind=Kind.HAMLET,
                level=Level.HAMLET,
                path=f"{c.path}H{i:02d}/",
            )
            for c in communes
            for i in range(1, args.hamlets_per_commune + 1)
        ]
        Area.objects.bulk_create(hamlets, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE areas_area")
        print(
            f"database: {connection.vendor}; areas: {Area.objects.count():,} (built in {time.perf_counter() - start:.1f} s)"
        )

        province = Area.objects.get(code="82", level=Level.PROVINCE)
        commune = Area.objects.get(code="28261")
        for name, fn in [
            ("count under a province", lambda: Area.objects.under(province).count()),
            ("count under a commune", lambda: Area.objects.under(commune).count()),
            (
                "list a commune's hamlets",
                lambda: list(Area.objects.under(commune).hamlets()),
            ),
        ]:
            p50, p95 = timed(fn)
            print(f"{name:<32} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")

        users = [make_user("viewer", c) for c in communes[:500]]
        p50, p95 = timed(
            lambda: RoleAssignment.objects.filter(
                area__path__under=province.path
            ).count()
        )
        print(
            f"{'roles under a province (join)':<32} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({len(users)} roles)"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
