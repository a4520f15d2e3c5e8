"""Builders for the dissemination tests: published bulletins and play events sent
through the gateway's real write path (``record_reports``)."""

from __future__ import annotations

import datetime
import itertools
import uuid

from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.bulletins.models import Bulletin
from grassroots.bulletins.tests.builders import make_published
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import Cluster, ClusterStatus
from grassroots.loudspeakers.tests.factories import events, make_cluster
from grassroots_agent.protocol import now_iso

_batches = itertools.count(1)


def publish(
    people, area: Area, *, targets=None, published_at=None, **kwargs
) -> Bulletin:
    """Return a bulletin issued in ``area`` and published (at ``published_at``)."""
    author, approver = (
        (people.province_editor, people.province_approver)
        if area.level == 1
        else (people.editor_a, people.approver_a)
        if area.name == "Xã An Bình"
        else (people.editor_b, people.approver_b)
    )
    bulletin = make_published(author, approver, area, targets=targets, **kwargs)
    if published_at is not None:
        Bulletin.objects.filter(pk=bulletin.pk).update(first_published_at=published_at)
        bulletin.refresh_from_db()
    return bulletin


def cluster(area: Area, *, online: bool = True, **fields) -> Cluster:
    """Return an active cluster in ``area`` with a status (online or not)."""
    made = make_cluster(area, **fields)
    ClusterStatus.objects.create(
        cluster=made,
        online=online,
        since=timezone.now() - datetime.timedelta(hours=2),
        last_seen_at=timezone.now() - datetime.timedelta(hours=0 if online else 2),
    )
    return made


def event(
    bulletin: Bulletin | int | None,
    kind: str = "finished",
    *,
    at: datetime.datetime | None = None,
    event_id: str | None = None,
    origin: str = playables.PROGRAMME,
    ref: str = "1",
    item: str | None = None,
    reason: str = "",
) -> dict:
    """Return a play event as a device reports it, for ``bulletin``'s item."""
    if item is None:
        assert bulletin is not None, "give a bulletin or an item"
        pk = bulletin if isinstance(bulletin, int) else bulletin.pk
        item = playables.bulletin_item_id(pk, origin, ref)
    data = {
        "id": event_id or uuid.uuid4().hex[:16],
        "kind": kind,
        "at": now_iso((at or timezone.now()).timestamp()),
        "item": item,
        "source": "schedule",
    }
    if reason:
        data["reason"] = reason
    return data


def store(cluster: Cluster, *evts: dict) -> reports.Outcome:
    """Write a batch of events from ``cluster`` as the gateway does."""
    message = events(cluster.code, f"b{next(_batches)}", list(evts))
    return reports.record_reports([], [(cluster.pk, message, timezone.now())])
