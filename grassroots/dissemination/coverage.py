"""Keep the coverage tables up to date as play events arrive.

Why a hook in the gateway's transaction rather than a job reading new events
by id (a watermark): with several gateway instances writing at once, event
ids are not committed in order (and PostgreSQL burns ids on the duplicates an
``ON CONFLICT DO NOTHING`` skips), so a watermark either misses events that
commit late or needs a time lag and a second pass. Here the summary changes
in the very transaction that stores the events: both commit or neither does.

How it stays exact and idempotent:

1. the (bulletin, cluster) rows the batch touches are created if missing and
   then locked, always in (bulletin, cluster) order (no deadlock between
   gateways; the gateway locks cluster statuses before, never after);
2. under those locks, the events of the batch already stored are looked up:
   a gateway writing the same event (a device resending a batch whose
   receipt was lost, taken by another gateway instance) holds the same row
   lock, so once it commits its events are visible here and are skipped;
3. only the new events change the counts; the (bulletin, area) rows are
   then locked in (bulletin, area) order and changed by the same deltas.

Events whose item names no bulletin (a device's own recordings, relays) or a
bulletin that no longer exists are ignored.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from grassroots.bulletins.models import Bulletin
from grassroots.indicators import periods, snapshots
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import Cluster, PlayEvent
from grassroots.loudspeakers.selectors import stored_play_events

from .models import AreaCoverage, ClusterCoverage

logger = logging.getLogger(__name__)

INDICATOR = "essential_disseminated"
FAILURES = (PlayEvent.Kind.FAILED, PlayEvent.Kind.PREEMPTED)


@dataclass
class Absorbed:
    """What one call changed, for the caller's logs and the tests."""

    events: int = 0
    repeated: int = 0
    ignored: int = 0
    newly_heard: int = 0


def on_play_events(sender, events: Sequence[PlayEvent], **kwargs) -> None:
    """Receive the gateway's batch (signal ``play_events_arriving``)."""
    absorb(events)


def _later(a: datetime.datetime | None, b: datetime.datetime) -> bool:
    return a is None or b > a


def _apply(row: ClusterCoverage, event: PlayEvent) -> None:
    """Add one new event to a (bulletin, cluster) row."""
    kind = event.kind
    if kind == PlayEvent.Kind.FINISHED:
        row.finished += 1
        if row.first_heard_at is None or event.at < row.first_heard_at:
            row.first_heard_at = event.at
        if _later(row.last_heard_at, event.at):
            row.last_heard_at = event.at
    elif kind == PlayEvent.Kind.STARTED:
        row.started += 1
    elif kind in FAILURES:
        if kind == PlayEvent.Kind.FAILED:
            row.failed += 1
        else:
            row.preempted += 1
        if _later(row.last_failed_at, event.at):
            row.last_failed_at = event.at
            row.last_failure = kind
            row.last_failure_reason = event.reason[:200]
    if _later(row.last_event_at, event.at):
        row.last_event_at = event.at


def absorb(events: Sequence[PlayEvent], *, rebuilding: bool = False) -> Absorbed:
    """Add the play events of a batch that are not stored yet to the coverage tables.

    Call it inside the transaction that stores them, before they are inserted
    (``loudspeakers.signals.play_events_arriving`` does). Calling it again with
    events already stored changes nothing. ``rebuilding`` counts stored
    events too (for :func:`rebuild`, which emptied the tables first).
    """
    result = Absorbed()
    wanted: list[tuple[int, PlayEvent]] = []
    for event in events:
        bulletin_id = playables.bulletin_of(event.item)
        if bulletin_id is None:
            result.ignored += 1
        else:
            wanted.append((bulletin_id, event))
    if not wanted:
        return result
    with transaction.atomic():
        published = dict(
            Bulletin.objects.filter(pk__in={b for b, _e in wanted}).values_list(
                "pk", "first_published_at"
            )
        )
        wanted = [(b, e) for b, e in wanted if b in published]
        result.ignored += len(events) - result.ignored - len(wanted)
        if not wanted:
            return result
        clusters = {
            pk: (area_id, path)
            for pk, area_id, path in Cluster.objects.filter(
                pk__in={e.cluster_id for _b, e in wanted}
            ).values_list("pk", "area_id", "area__path")
        }
        pairs = sorted({(b, e.cluster_id) for b, e in wanted})
        rows = _lock_cluster_rows(pairs, clusters)
        stored = (
            set()
            if rebuilding
            else stored_play_events(
                sorted({(e.cluster_id, e.event_id) for _b, e in wanted})
            )
        )
        before = {key: (row.finished, row.failed) for key, row in rows.items()}
        touched: set[tuple[int, int]] = set()
        for bulletin_id, event in sorted(wanted, key=lambda w: w[1].at):
            if (event.cluster_id, event.event_id) in stored:
                result.repeated += 1
                continue
            result.events += 1
            touched.add((bulletin_id, event.cluster_id))
            _apply(rows[(bulletin_id, event.cluster_id)], event)
        _save(
            ClusterCoverage,
            [rows[key] for key in sorted(touched)],
            [
                "finished",
                "started",
                "failed",
                "preempted",
                "first_heard_at",
                "last_heard_at",
                "last_failed_at",
                "last_failure",
                "last_failure_reason",
                "last_event_at",
            ],
        )
        newly = _roll_up(rows, before)
        result.newly_heard = len(newly)
        _mark_stale(newly, published)
    return result


def _save(model, rows: list, names: list[str]) -> None:
    """Write ``rows``: one ``UPDATE … FROM unnest(arrays)`` on PostgreSQL, else executemany.

    ``bulk_update`` builds CASE expressions whose cost grows with the square
    of the batch (measured: 20 s for a gateway batch of 5,000 events); one
    prepared UPDATE per row costs a round trip each on PostgreSQL, and a
    VALUES list of thousands of placeholders is slow for the driver to parse.
    """
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    values = [[row.pk] + [getattr(row, f.attname) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - model names
                table, ", ".join(f"{quote(f.column)} = %s" for f in fields), pk
            )
            cursor.executemany(sql, [v[1:] + v[:1] for v in values])
            return
        # One array per column: a few parameters whatever the number of rows
        # (a statement with thousands of placeholders is slow to even prepare).
        columns = ", ".join(f"c{i}" for i in range(len(fields) + 1))
        arrays = ", ".join(
            ["%s::bigint[]"] + [f"%s::{f.db_type(connection)}[]" for f in fields]
        )
        assignments = ", ".join(
            f"{quote(f.column)} = v.c{i + 1}" for i, f in enumerate(fields)
        )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) "  # noqa: S608
            f"AS v({columns}) WHERE {table}.{pk} = v.c0",
            [list(column) for column in zip(*values, strict=True)],
        )


def _lock_cluster_rows(
    pairs: list[tuple[int, int]], clusters: dict[int, tuple[int, str]]
) -> dict[tuple[int, int], ClusterCoverage]:
    """Create the missing (bulletin, cluster) rows, then lock them in key order.

    Most rows exist (a cluster airs a bulletin several times): they are read
    first so that only the missing ones are inserted, in key order too.
    """
    bulletin_ids = {b for b, _c in pairs}
    cluster_ids = {c for _b, c in pairs}
    existing = set(
        ClusterCoverage.objects.filter(
            bulletin_id__in=bulletin_ids, cluster_id__in=cluster_ids
        ).values_list("bulletin_id", "cluster_id")
    )
    ClusterCoverage.objects.bulk_create(
        [
            ClusterCoverage(
                bulletin_id=b,
                cluster_id=c,
                area_id=clusters[c][0],
                area_path=clusters[c][1],
            )
            for b, c in pairs
            if (b, c) not in existing
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    wanted = set(pairs)
    return {
        (row.bulletin_id, row.cluster_id): row
        for row in ClusterCoverage.objects.select_for_update()
        .filter(bulletin_id__in=bulletin_ids, cluster_id__in=cluster_ids)
        .order_by("bulletin_id", "cluster_id")
        if (row.bulletin_id, row.cluster_id) in wanted
    }


def _roll_up(
    rows: dict[tuple[int, int], ClusterCoverage],
    before: dict[tuple[int, int], tuple[int, int]],
) -> list[tuple[int, int, str]]:
    """Add the changes of the cluster rows to their area rows; return newly heard areas."""
    deltas: dict[tuple[int, int], dict] = {}
    for key, row in rows.items():
        finished_before, failed_before = before[key]
        if (row.finished, row.failed) == (finished_before, failed_before):
            continue
        delta = deltas.setdefault(
            (row.bulletin_id, row.area_id),
            {
                "path": row.area_path,
                "clusters": 0,
                "finished": 0,
                "failed": 0,
                "first": None,
                "last": None,
            },
        )
        delta["finished"] += row.finished - finished_before
        delta["failed"] += row.failed - failed_before
        if row.finished and not finished_before:
            delta["clusters"] += 1
        if row.first_heard_at and (
            delta["first"] is None or row.first_heard_at < delta["first"]
        ):
            delta["first"] = row.first_heard_at
        if row.last_heard_at and _later(delta["last"], row.last_heard_at):
            delta["last"] = row.last_heard_at
    if not deltas:
        return []
    keys = sorted(deltas)
    existing = set(
        AreaCoverage.objects.filter(
            bulletin_id__in={b for b, _a in keys}, area_id__in={a for _b, a in keys}
        ).values_list("bulletin_id", "area_id")
    )
    AreaCoverage.objects.bulk_create(
        [
            AreaCoverage(bulletin_id=b, area_id=a, area_path=deltas[(b, a)]["path"])
            for b, a in keys
            if (b, a) not in existing
        ],
        ignore_conflicts=True,
    )
    locked = {
        (row.bulletin_id, row.area_id): row
        for row in AreaCoverage.objects.select_for_update()
        .filter(
            bulletin_id__in={b for b, _a in keys}, area_id__in={a for _b, a in keys}
        )
        .order_by("bulletin_id", "area_id")
    }
    newly = []
    changed = []
    for key in keys:
        area_row, delta = locked[key], deltas[key]
        if not area_row.finished and delta["finished"]:
            newly.append((key[0], key[1], area_row.area_path))
        area_row.finished += delta["finished"]
        area_row.failed += delta["failed"]
        area_row.clusters_heard += delta["clusters"]
        if delta["first"] and (
            area_row.first_heard_at is None or delta["first"] < area_row.first_heard_at
        ):
            area_row.first_heard_at = delta["first"]
        if delta["last"] and _later(area_row.last_heard_at, delta["last"]):
            area_row.last_heard_at = delta["last"]
        changed.append(area_row)
    _save(
        AreaCoverage,
        changed,
        ["finished", "failed", "clusters_heard", "first_heard_at", "last_heard_at"],
    )
    return newly


def _mark_stale(
    newly: Iterable[tuple[int, int, str]],
    published: dict[int, datetime.datetime | None],
) -> None:
    """Drop the monthly snapshots a late proof of play changes.

    A bulletin counts in the month it was published; a hamlet first heard
    after that month closed changes the indicator of a closed month.
    """
    this_month = periods.month_start(periods.today())
    done: set[tuple[str, datetime.date]] = set()
    for bulletin_id, _area_id, path in newly:
        at = published.get(bulletin_id)
        if at is None:
            continue
        day = timezone.localdate(at)
        if periods.month_start(day) >= this_month or (path, day) in done:
            continue
        done.add((path, day))
        snapshots.mark_stale([INDICATOR], path, since=day)


@transaction.atomic
def rebuild(bulletin_ids: Iterable[int] | None = None) -> int:
    """Recompute the coverage tables from the stored play events; return events read.

    For installing the app over existing events, or repairing after a
    restore. It reads the raw events of the bulletins asked for (all, by
    default), so it is slow at national scale: run it by hand, not often.
    """
    cluster_rows = ClusterCoverage.objects.all()
    area_rows = AreaCoverage.objects.all()
    events = PlayEvent.objects.filter(item__startswith=playables.bulletin_prefix())
    if bulletin_ids is not None:
        ids = sorted(set(bulletin_ids))
        cluster_rows = cluster_rows.filter(bulletin_id__in=ids)
        area_rows = area_rows.filter(bulletin_id__in=ids)
        query = Q(pk__in=[])
        for pk in ids:
            query |= Q(item__startswith=playables.bulletin_prefix(pk))
        events = events.filter(query)
    cluster_rows.delete()
    area_rows.delete()
    count = 0
    batch: list[PlayEvent] = []
    for event in events.order_by("pk").iterator(chunk_size=5000):
        batch.append(event)
        if len(batch) >= 5000:
            count += absorb(batch, rebuilding=True).events
            batch = []
    if batch:
        count += absorb(batch, rebuilding=True).events
    return count
