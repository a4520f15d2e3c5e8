"""Demo programmes: each demo commune's daily programme, and items every half hour.

So that the ~200 simulated clusters of ``make run`` play something soon after
start-up (and send play events), every commune airs its announcement at :00
and :30 of every hour (an RRULE), besides its morning and evening
programmes and the province's relay. Loading again changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from grassroots.accounts import audit
from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE
from grassroots.loudspeakers.models import Cluster, Station

from . import actions, compiler
from .models import ClusterGroup, ProgrammeItem, ProgrammeSchedule, Rule, Source

RELAY_URL = "https://radio.example.vn/dongthap/live.mp3"


def _bulletin_for(commune: Area):
    """Return a published bulletin of the commune (or of the province), if any."""
    from grassroots.bulletins.models import Bulletin, Status

    published = Bulletin.objects.filter(status=Status.PUBLISHED, live=True)
    return (
        published.filter(issuing_area=commune).order_by("-pk").first()
        or published.filter(issuing_area__level=Level.PROVINCE).order_by("pk").first()
    )


def _schedule(item, area, targets, **fields) -> None:
    if ProgrammeSchedule.objects.filter(item=item, area=area, at=fields["at"]).exists():
        return
    schedule = ProgrammeSchedule.objects.create(
        item=item, area=area, starts_on=timezone.localdate(), **fields
    )
    schedule.target_areas.set(targets)


@transaction.atomic
def _load(out: Callable[[str], None]) -> int:
    province = Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    relay, _ = ProgrammeItem.objects.get_or_create(
        area=province,
        title="Tiếp sóng Đài Phát thanh và Truyền hình Đồng Tháp",
        defaults={
            "source": Source.RELAY,
            "relay_url": RELAY_URL,
            "duration_s": 300,
            "essential": False,
        },
    )
    _schedule(relay, province, [province], rule=Rule.DAILY, at=datetime.time(5, 30))
    _schedule(relay, province, [province], rule=Rule.DAILY, at=datetime.time(18, 30))
    made = 0
    for station in Station.objects.select_related("commune").order_by("commune__code"):
        commune = station.commune
        bulletin = _bulletin_for(commune)
        if bulletin is None:
            continue
        item = ProgrammeItem.objects.filter(area=commune, bulletin=bulletin).first()
        if item is None:
            item = ProgrammeItem(
                area=commune,
                title=bulletin.title[:200],
                source=Source.BULLETIN,
                bulletin=bulletin,
                essential=bulletin.is_essential,
            )
            actions.prepare_audio(item)
            item.save()
            made += 1
        _schedule(item, commune, [commune], rule=Rule.DAILY, at=datetime.time(6, 30))
        _schedule(item, commune, [commune], rule=Rule.DAILY, at=datetime.time(17, 30))
        _schedule(
            item,
            commune,
            [commune],
            rule=Rule.RRULE,
            rrule="FREQ=HOURLY;BYMINUTE=0,30",
            at=datetime.time(0, 0),
            window_minutes=20,
        )
        clusters = list(
            Cluster.objects.filter(area__path__under=commune.path).order_by("code")[:3]
        )
        group, created = ClusterGroup.objects.get_or_create(
            area=commune, name="Khu vực chợ"
        )
        if created:
            group.clusters.set(clusters)
    return made


def load(out: Callable[[str], None]) -> None:
    with audit.acting_as(audit.Origin(source="system")):
        made = _load(out)
        # Devices that connect later get this version from the gateway.
        sent = compiler.compile_and_send()
    out(
        f"Broadcasts: {ProgrammeSchedule.objects.count()} schedules "
        f"({made} new items), {sent} cluster schedules compiled"
    )
