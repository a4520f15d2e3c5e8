"""Demo fleet: a radio station in each demo commune and about 200 clusters in its hamlets.

Their credentials go to a file only the simulator reads
(``DATA_DIR/simulator/devices.json``, mode 600), so ``make run`` shows a live
fleet. Loading again keeps the clusters and the secrets that still match.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from grassroots.accounts import audit
from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE
from grassroots_agent.protocol import area_chain

from . import brokerfiles, credentials, history
from .models import Cluster, LinkKind, Station

TOTAL = 200
MIN_PER_STATION = 15
MODELS = ("IP-LOA 4G v2", "IP-LOA 4G v3", "Truyền thanh IP TT-200", "Cụm thu IP CT-50")


def credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "simulator" / "devices.json"


def _targets(communes: list[tuple[Area, list[Area]]]) -> dict[int, int]:
    hamlet_total = sum(len(h) for _c, h in communes) or 1
    targets = {c.pk: MIN_PER_STATION for c, _h in communes}
    spare = max(0, TOTAL - MIN_PER_STATION * len(communes))
    for commune, hamlets in communes:
        targets[commune.pk] += round(spare * len(hamlets) / hamlet_total)
    return targets


def load(out: Callable[[str], None]) -> None:
    rng = random.Random(82)  # the same fleet on every machine  # noqa: S311 - demo data
    communes = []
    for commune in Area.objects.filter(
        level=Level.COMMUNE, path__startswith=f"{PROVINCE_CODE:02d}/"
    ).order_by("code"):
        hamlets = list(
            commune.children.filter(level=Level.HAMLET, is_active=True).order_by("code")
        )
        if hamlets:
            communes.append((commune, hamlets))
    created = 0
    targets = _targets(communes)
    for commune, hamlets in communes:
        station = Station.objects.filter(
            commune=commune
        ).first() or Station.objects.create(
            commune=commune, name=f"Đài truyền thanh {commune.name}"
        )
        for index in range(targets[commune.pk]):
            hamlet = hamlets[index % len(hamlets)]
            number = index // len(hamlets) + 1
            code = f"{commune.code}-{hamlet.code}-{number}"
            if Cluster.objects.filter(code=code).exists():
                continue
            link = rng.choices(
                [LinkKind.FOUR_G, LinkKind.WIFI, LinkKind.WIRED], [7, 2, 1]
            )[0]
            cluster = Cluster.objects.create(
                station=station,
                area=hamlet,
                code=code,
                name=f"Cụm loa số {number}, {hamlet.name}",
                latitude=None
                if hamlet.latitude is None
                else round(hamlet.latitude + rng.uniform(-0.004, 0.004), 5),
                longitude=None
                if hamlet.longitude is None
                else round(hamlet.longitude + rng.uniform(-0.004, 0.004), 5),
                model=rng.choice(MODELS),
                firmware_version="sim-1.0",
                link=link,
                speaker_count=rng.choice([2, 2, 3, 4]),
                speaker_power_w=rng.choice([25, 30, 50]),
                installed_on=date(2022, 1, 1) + timedelta(days=rng.randrange(1300)),
            )
            history.record(cluster)
            created += 1
    out(f"Demo loudspeaker clusters: {created} created")
    issued = _write_credentials()
    if issued:
        out(f"Demo cluster credentials: {issued} issued for the simulator")


def _write_credentials() -> int:
    """Issue secrets for demo clusters the credentials file lacks; rewrite the file."""
    path = credentials_file()
    try:
        known = {d["id"]: d["secret"] for d in json.loads(path.read_text())["devices"]}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        known = {}
    clusters = list(
        Cluster.objects.filter(
            area__path__startswith=f"{PROVINCE_CODE:02d}/", firmware_version="sim-1.0"
        )
        .select_related("area")
        .order_by("code")
    )
    devices, fresh = [], []
    for cluster in clusters:
        secret = known.get(cluster.code)
        if not (
            secret
            and cluster.secret_hash
            and credentials.verify(secret, cluster.secret_hash)
        ):
            secret = credentials.new_secret()
            cluster.secret_hash = credentials.hash_secret(secret)
            cluster.secret_issued_at = timezone.now()
            fresh.append(cluster)
        devices.append(
            {
                "id": cluster.code,
                "secret": secret,
                "areas": area_chain(cluster.area.path),
                "link": cluster.link,
            }
        )
    Cluster.objects.bulk_update(fresh, ["secret_hash", "secret_issued_at"])
    if fresh:
        audit.record(
            "loudspeakers.credentials_issue",
            None,
            data={"clusters": len(fresh), "for": "simulator"},
            object_repr=f"{len(fresh)} demo clusters",
        )
    host, port = brokerfiles.local_device_address()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {
                "host": host,
                "port": port,
                "root": settings.GRASSROOTS_MQTT_TOPIC_ROOT,
                "devices": devices,
            },
            handle,
            ensure_ascii=False,
        )
    os.replace(tmp, path)
    return len(fresh)


def banner() -> list[str]:
    count = Cluster.objects.count()
    if not count:
        return []
    base = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
    return [
        f"  Loudspeakers: {count} clusters (simulated devices); live map: {base}/console/loudspeakers/map/",
    ]
