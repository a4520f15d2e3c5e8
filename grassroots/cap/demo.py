"""Demo data: the province's hydro-meteorological station as a CAP source, one warning waiting."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from grassroots.accounts import audit
from grassroots.areas.models import Area, Level
from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.models import ApiKey, Category, PeerSystem
from grassroots.core.demo import PROVINCE_CODE

from . import actions
from .models import CapSource, Policy

#: A published demo key for the CAP source; demo only, never in production.
DEMO_CAP_KEY = "grk_demo0002_DongThapDemoKeyForTheWeatherStation0000000"  # noqa: S105
DEMO_SOURCE = "Đài Khí tượng Thủy văn tỉnh Đồng Tháp (demo)"


def _warning(communes: list[Area]) -> bytes:
    now = timezone.localtime().replace(microsecond=0)
    geocodes = "".join(
        f"<geocode><valueName>VN-MaDVHC-2025</valueName><value>{c.code}</value></geocode>"
        for c in communes
    )
    names = ", ".join(c.name for c in communes)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>KTTV-DT-DEMO-{now:%Y%m%d%H%M}</identifier>"
        "<sender>canhbao@kttv-dongthap.demo</sender>"
        f"<sent>{now.isoformat()}</sent><status>Actual</status>"
        "<msgType>Alert</msgType><scope>Public</scope><info>"
        "<language>vi-VN</language><category>Met</category><event>Bão</event>"
        "<urgency>Immediate</urgency><severity>Severe</severity>"
        "<certainty>Observed</certainty>"
        f"<expires>{(now + timedelta(hours=12)).isoformat()}</expires>"
        f"<senderName>{DEMO_SOURCE}</senderName>"
        "<headline>Cảnh báo bão số 5 (demo)</headline>"
        "<description>Bão số 5 đổ bộ vào Đồng Tháp đêm nay, gió cấp 10, "
        "giật cấp 12.</description>"
        "<instruction>Neo đậu tàu thuyền, gia cố nhà cửa, không ra sông."
        "</instruction>"
        f"<area><areaDesc>{names}</areaDesc>{geocodes}</area>"
        "</info></alert>"
    ).encode()


def load(out: Callable[[str], None]) -> None:
    if PeerSystem.objects.filter(name=DEMO_SOURCE).exists():
        return
    province = Area.objects.filter(
        level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}"
    ).first()
    category = Category.objects.filter(slug="thien-tai").first()
    if province is None or category is None:
        return
    peer = bulletins.save_peer(
        None, name=DEMO_SOURCE, area=province, contact="Đài KTTV tỉnh (demo)"
    )
    ApiKey.objects.create(
        peer=peer,
        prefix=DEMO_CAP_KEY.split("_")[1],
        key_hash=hashlib.sha256(DEMO_CAP_KEY.encode()).hexdigest(),
    )
    source = actions.save_source(
        None,
        peer,
        category=category,
        default_policy=Policy.INFORMATION,
        policies={
            "Bão": Policy.EMERGENCY_DRAFT,
            "Lũ": Policy.EMERGENCY_DRAFT,
            "Nắng nóng": Policy.PRIORITY,
        },
    )
    communes = list(Area.objects.under(province).communes().active()[:2])
    if communes:
        with audit.acting_as(audit.Origin(source="system")):
            actions.receive(source, _warning(communes), via="demo")
    out(f"Demo CAP source: {DEMO_SOURCE}, one warning waiting")


def banner() -> list[str]:
    if not CapSource.objects.filter(peer__name=DEMO_SOURCE).exists():
        return []
    return [
        "  CAP warnings: console “Cảnh báo CAP”; out at /cap/alerts.atom",
        f"  Demo CAP key (POST /api/v1/cap/alerts): {DEMO_CAP_KEY}",
    ]
