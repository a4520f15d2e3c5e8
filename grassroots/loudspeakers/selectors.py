"""What other apps may ask the loudspeaker registry, without knowing its states.

A cluster is *in service* while it is active or in maintenance: it is counted,
sent schedules and commands, and may connect. A retired one is kept for the
record only. Other apps use these functions instead of filtering on
``Cluster.state`` themselves.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Cluster, ClusterState

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
