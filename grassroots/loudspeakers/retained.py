"""Put back on the broker every retained message devices must find there.

Devices learn their schedule, configuration and active emergencies from
retained messages. Mosquitto keeps them on disk (``persistence``, saved every
``autosave_interval``), but a broker killed between two saves, a store lost
with its disk, or a switch to another broker node loses some or all of them:
a cluster that reboots then would sit silent through a flood warning. So the
gateway calls :func:`republish_all` every time it (re)connects to a broker.

Schedules and configurations go out again as they are (same version, same
rev: a device holding them ignores the copy); emergency lists go out with a
new rev through the emergencies app (``retained_lost`` signal), which keeps
their revs growing. Nothing here changes a domain row.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from grassroots_agent import protocol

from . import plane, signing
from .models import Cluster, ClusterState, Schedule
from .signals import retained_lost

logger = logging.getLogger(__name__)

CHUNK = 1000


@dataclass
class Republished:
    schedules: int = 0
    configs: int = 0
    emergency_topics: int = 0
    seconds: float = 0.0


def republish_all() -> Republished:
    """Publish again every live cluster's newest schedule and config, and every emergency list."""
    started = time.monotonic()
    out = Republished()
    topics = plane.topics()
    live = Cluster.objects.exclude(state=ClusterState.RETIRED)
    # The newest schedule of each cluster is the one its row names.
    rows = (
        Schedule.objects.filter(
            cluster__in=live.filter(schedule_version__isnull=False),
            version=F("cluster__schedule_version"),
        )
        .values_list("cluster__code", "document")
        .order_by("cluster_id")
    )
    for code, document in rows.iterator(chunk_size=CHUNK):
        plane.publish(topics.schedule(code), document, qos=1, retain=True)
        out.schedules += 1
    keys = signing.public_keys()
    clusters = (
        live.filter(config_rev__gt=0)
        .select_related("area")
        .only("code", "state", "config_rev", "area__path")
    )
    for cluster in clusters.iterator(chunk_size=CHUNK):
        message = protocol.config(
            cluster.code,
            protocol.area_chain(cluster.area.path),
            rev=cluster.config_rev,
            server_keys=keys,
            heartbeat_s=settings.GRASSROOTS_DEVICE_HEARTBEAT_S,
            state=cluster.state,
        )
        plane.publish(topics.config(cluster.code), message, qos=1, retain=True)
        out.configs += 1
    for _receiver, count in retained_lost.send(sender=Cluster):
        out.emergency_topics += int(count or 0)
    out.seconds = time.monotonic() - started
    logger.info(
        "put back on the broker: %d schedules, %d configurations, %d emergency lists"
        " (%.1f s)",
        out.schedules,
        out.configs,
        out.emergency_topics,
        out.seconds,
    )
    return out
