"""Demo areas: Đồng Tháp (82) from the catalogue, and hamlets of twelve communes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db.models import Avg

from grassroots.core.demo import PROVINCE_CODE

from . import actions
from .models import Area, Level

HAMLETS_FILE = Path(__file__).parent / "data" / "demo-hamlets-82.csv"


def load(out: Callable[[str], None]) -> None:
    result = actions.import_catalogue([PROVINCE_CODE])
    out(f"Catalogue, province {PROVINCE_CODE}: {result}")
    with HAMLETS_FILE.open("rb") as handle:
        result = actions.import_hamlets(handle)
    out(f"Demo hamlets: {result}")
    # The catalogue has no coordinates: place each demo commune at its hamlets' centre.
    for commune in Area.objects.filter(
        level=Level.COMMUNE, children__isnull=False, latitude=None
    ).distinct():
        centre = commune.children.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
        Area.objects.filter(pk=commune.pk).update(
            latitude=centre["lat"], longitude=centre["lon"]
        )
    province = Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    if province.latitude is None:
        Area.objects.filter(pk=province.pk).update(latitude=10.46, longitude=105.63)
