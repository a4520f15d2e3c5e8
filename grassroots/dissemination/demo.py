"""Demo proof of play: the demo clusters aired the latest published bulletins.

So that the dissemination report and the indicator of essential information
disseminated show numbers in ``make run`` before the simulated fleet has
played anything. Written through the gateway's own write path (with fixed
event ids, so loading twice counts nothing twice); most clusters played each
bulletin, a few failed with the reasons devices give, a few stay silent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from grassroots.accounts import audit
from grassroots.bulletins.models import Bulletin
from grassroots.core.demo import PROVINCE_CODE
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.actions import record_reports

from . import report
from .models import ClusterCoverage

#: How many of the latest published bulletins get demo plays.
BULLETINS = 4
REASONS = ("missed", "power off", "audio unavailable")


def load(out: Callable[[str], None]) -> None:
    rng = random.Random(5)  # noqa: S311 - demo data
    bulletins = (
        Bulletin.objects.filter(
            first_published_at__isnull=False,
            on_loudspeakers=True,
            issuing_area__path__startswith=f"{PROVINCE_CODE:02d}/",
        )
        .exclude(status="withdrawn")
        .order_by("-first_published_at")[:BULLETINS]
    )
    now = timezone.now()
    written = 0
    with audit.acting_as(audit.Origin(source="gateway")):
        for bulletin in bulletins:
            if ClusterCoverage.objects.filter(bulletin=bulletin).exists():
                continue
            paths = report.target_paths(bulletin)
            clusters = report.targeted_clusters(bulletin, paths).values_list(
                "pk", "code"
            )
            start = max(bulletin.first_published_at, now - timedelta(days=20))
            batches = []
            for pk, code in clusters:
                roll = rng.random()
                events = []
                if roll < 0.85:
                    times = rng.randint(1, 3)
                    kinds = ["finished"] * times
                elif roll < 0.93:
                    kinds = ["failed"]
                else:
                    continue
                for n, kind in enumerate(kinds):
                    at = start + (now - start) * rng.random()
                    event = {
                        "id": f"demo-{bulletin.pk}-{n}",
                        "kind": kind,
                        "at": at.isoformat(),
                        "item": playables.bulletin_item_id(bulletin.pk, "prog", "demo"),
                        "title": bulletin.title[:200],
                        "source": "schedule",
                    }
                    if kind == "failed":
                        event["reason"] = rng.choice(REASONS)
                    events.append(event)
                batches.append(
                    (pk, {"device": code, "batch": "demo", "events": events}, now)
                )
                written += len(events)
            for i in range(0, len(batches), 500):
                record_reports([], batches[i : i + 500])
    out(f"Demo proof of play: {written} play events of bulletins")


def banner() -> list[str]:
    base = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
    return [f"  Dissemination (who heard each bulletin): {base}/console/dissemination/"]
