"""Builders for the loudspeaker tests."""

from __future__ import annotations

import itertools
import time
from typing import Any

from grassroots.areas.models import Area
from grassroots_agent import protocol
from grassroots_agent.protocol import now_iso

from .. import history
from ..models import Cluster, Station

_n = itertools.count(1)
SHA = "ab" * 32


def make_station(commune: Area, **fields: Any) -> Station:
    station = Station.objects.filter(commune=commune).first()
    if station is None:
        station = Station.objects.create(
            commune=commune, name=f"Đài {commune.name}", **fields
        )
    return station


def make_cluster(area: Area, *, code: str | None = None, **fields: Any) -> Cluster:
    """Return a cluster in ``area`` (a hamlet or a commune), with its commune's station."""
    commune = area if area.parent is None or area.level == 3 else area.parent
    station = make_station(commune)
    cluster = Cluster.objects.create(
        station=station,
        area=area,
        code=code or f"T{next(_n)}-{area.code}",
        name=fields.pop("name", "Ngã ba chợ"),
        **fields,
    )
    history.record(cluster)
    return cluster


def item(
    item_id: str = "it-1",
    *,
    start_in: float | None = None,
    duration_s: float = 0.3,
    **extra: Any,
) -> dict[str, Any]:
    """Return a playable item (with a start time when ``start_in`` is given)."""
    data: dict[str, Any] = {
        "id": item_id,
        "title": "Bản tin thử",
        "priority": "normal",
        "audio": {
            "url": "http://127.0.0.1:9/a.mp3",
            "sha256": SHA,
            "duration_s": duration_s,
        },
        **extra,
    }
    if start_in is not None:
        data["start"] = now_iso(time.time() + start_in)
    return data


def state(
    device: str,
    *,
    boot: str = "b1",
    conn: int = 1,
    seq: int = 1,
    online: bool = True,
    ts: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    message = {
        "v": protocol.VERSION,
        "type": "state",
        "device": device,
        "boot": boot,
        "conn": conn,
        "ts": now_iso(ts),
        "online": online,
        "seq": seq,
        "volume": 70,
        "power": "on",
        **extra,
    }
    if extra.get("will"):
        message.pop("seq")
    return message


def events(device: str, batch: str, evts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "v": protocol.VERSION,
        "type": "events",
        "device": device,
        "batch": batch,
        "sent_at": now_iso(),
        "events": evts,
    }


def play(
    event_id: str, kind: str = "finished", item_id: str = "it-1", **extra: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "kind": kind,
        "at": now_iso(),
        "item": item_id,
        "source": "schedule",
        **extra,
    }
