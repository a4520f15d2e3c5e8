"""What other apps may ask the registry: clusters in service, stored play events."""

import pytest

from grassroots.loudspeakers import selectors
from grassroots.loudspeakers.models import Cluster, ClusterState, PlayEvent

from .factories import make_cluster

pytestmark = pytest.mark.django_db


def test_clusters_in_service_are_the_active_and_the_maintained(tree):
    active = make_cluster(tree.hamlet_a1)
    repairing = make_cluster(tree.hamlet_a1, state=ClusterState.MAINTENANCE)
    retired = make_cluster(tree.hamlet_b1, state=ClusterState.RETIRED)
    assert set(selectors.in_service()) == {active, repairing}
    b_only = Cluster.objects.filter(area=tree.hamlet_b1)
    assert list(selectors.in_service(b_only)) == []
    assert Cluster.objects.filter(selectors.in_service_q()).count() == 2
    assert selectors.is_in_service(repairing)
    assert not selectors.is_in_service(retired)


def test_stored_play_events_are_found_by_cluster_and_event_id(tree):
    cluster = make_cluster(tree.hamlet_a1)
    other = make_cluster(tree.hamlet_b1)
    PlayEvent.objects.create(
        cluster=cluster,
        event_id="e-1",
        item="rec:1:1",
        source="schedule",
        kind=PlayEvent.Kind.FINISHED,
        at="2025-07-01T06:00:00+07:00",
    )
    asked = [(cluster.pk, "e-1"), (cluster.pk, "e-2"), (other.pk, "e-1")]
    assert selectors.stored_play_events(asked) == {(cluster.pk, "e-1")}
    assert selectors.stored_play_events([]) == set()


def test_the_offline_status_named_for_others_is_the_registrys_own():
    from grassroots.loudspeakers import live

    assert selectors.OFFLINE == live.OFFLINE
