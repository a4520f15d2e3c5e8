"""What other apps may ask the loudspeaker registry, without knowing its states.

A cluster is *in service* while it is active or in maintenance: it is counted,
sent schedules and commands, and may connect. A retired one is kept for the
record only. Other apps use these functions instead of filtering on
``Cluster.state`` themselves.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from .models import Cluster, ClusterState, PlayEvent

#: The one state that takes a cluster out of service.
RETIRED = ClusterState.RETIRED


def in_service(clusters: QuerySet[Cluster] | None = None) -> QuerySet[Cluster]:
    """Return ``clusters`` (default: every cluster) without the retired ones."""
    queryset = Cluster.objects.all() if clusters is None else clusters
    return queryset.exclude(state=RETIRED)


def in_service_q(prefix: str = "") -> Q:
    """Return the condition "in service" on the cluster at ``prefix`` (``clusters__``)."""
    return ~Q(**{f"{prefix}state": RETIRED})


def is_in_service(cluster: Cluster) -> bool:
    """Return True unless ``cluster`` is retired."""
    return cluster.state != RETIRED


#: The connection status a console filter takes for "offline" (``?status=``).
OFFLINE = "offline"


def offline(clusters: QuerySet[Cluster] | None = None) -> QuerySet[Cluster]:
    """Return the clusters in service that count as offline now (``live.OFFLINE``)."""
    from . import live

    return in_service(clusters).filter(live.status_filter(live.OFFLINE))


def stored_play_events(pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Return which (cluster, event id) pairs of play events are stored.

    Probes the unique index; for the dissemination app, which must not
    query this app's table in SQL itself.

    ``cluster IN (…) AND event_id IN (…)`` would read every event of the
    batch's clusters (hundreds each on a national data set); a join on the
    exact pairs reads only those.
    """
    meta = PlayEvent._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    cluster = quote(str(meta.get_field("cluster").column))
    event_id = quote(str(meta.get_field("event_id").column))
    found: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT p.{cluster}, p.{event_id} FROM {table} p JOIN "  # noqa: S608
                "unnest(%s::bigint[], %s::varchar[]) AS v(c, e) "
                f"ON p.{cluster} = v.c AND p.{event_id} = v.e",
                [[c for c, _e in pairs], [e for _c, e in pairs]],
            )
            return set(cursor.fetchall())
        for start in range(0, len(pairs), 400):
            chunk = pairs[start : start + 400]
            sql = (
                f"SELECT p.{cluster}, p.{event_id} FROM {table} p JOIN (VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(chunk))
                + f") AS v ON p.{cluster} = v.column1 AND p.{event_id} = v.column2"
            )
            cursor.execute(sql, [x for pair in chunk for x in pair])
            found.update((c, e) for c, e in cursor.fetchall())
    return found
