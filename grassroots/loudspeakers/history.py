"""Each cluster's dated history (state and place), kept by the registry actions.

The fleet's indicators read a past month's state from it; a change dated
before the current month changes a closed month, so its snapshots are dropped.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.areas.models import Area, Level

from .models import Cluster, ClusterChange

#: The indicators computed from the history.
INDICATORS = ("ip_stations", "clusters_per_station", "hamlet_coverage")


def commune_of(area: Area) -> Area:
    if area.level <= Level.COMMUNE or area.parent is None:
        return area
    return area.parent


def record(cluster: Cluster, day: datetime.date | None = None) -> ClusterChange | None:
    """Write the cluster's current state and place into its history from ``day`` on.

    Nothing is written when they have not changed. A first entry is dated the
    installation day (else today); later changes are dated ``day`` (today by
    default), never before the entry they follow. Two changes on one day
    leave one entry: the day's final state.
    """
    today = timezone.localdate()
    last = (
        cluster.changes.filter(ended_on__isnull=True).order_by("-effective_on").first()
    )
    if last is None:
        day = day or cluster.installed_on or today
    else:
        if last.state == cluster.state and last.area_id == cluster.area_id:
            return None
        day = max(day or today, last.effective_on)
    commune = commune_of(cluster.area)
    if last is not None and last.effective_on == day:
        stale = [last.area, cluster.area]
        last.state, last.area, last.commune = cluster.state, cluster.area, commune
        last.save(update_fields=["state", "area", "commune"])
        entry = last
    else:
        stale = [cluster.area] if last is None else [last.area, cluster.area]
        if last is not None:
            last.ended_on = day
            last.save(update_fields=["ended_on"])
        entry = ClusterChange.objects.create(
            cluster=cluster,
            effective_on=day,
            state=cluster.state,
            area=cluster.area,
            commune=commune,
        )
    _mark_stale(stale, day)
    return entry


def check_day(cluster: Cluster, day: datetime.date) -> None:
    """Refuse a change dated in the future or before the cluster's last change."""
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    last = cluster.changes.order_by("-effective_on").first()
    if last is not None and day < last.effective_on:
        raise ValidationError(
            _(
                "The cluster's last change was on %(day)s; a new one cannot be "
                "dated before it."
            )
            % {"day": last.effective_on.strftime("%d/%m/%Y")}
        )


def redate_installation(cluster: Cluster, before: datetime.date | None) -> None:
    """Move the first entry to a corrected installation day.

    Only while that day still falls before the entry's successor; a later
    correction is left to a dated state change.
    """
    if cluster.installed_on is None or cluster.installed_on == before:
        return
    first = cluster.changes.order_by("effective_on", "pk").first()
    if first is None:
        return
    day = cluster.installed_on
    if first.ended_on is not None and day >= first.ended_on:
        return
    old = first.effective_on
    first.effective_on = day
    first.save(update_fields=["effective_on"])
    _mark_stale([first.area], min(old, day))


def _mark_stale(areas: list[Area], day: datetime.date) -> None:
    if day >= timezone.localdate().replace(day=1):
        return
    from grassroots.indicators.snapshots import mark_stale

    for path in {a.path for a in areas}:
        mark_stale(INDICATORS, path, since=day)
