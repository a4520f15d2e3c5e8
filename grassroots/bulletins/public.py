"""What citizens may read: published, valid bulletins, by area and category.

The portal, its feeds and the public API all read through these functions, so
"public" means one thing everywhere.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from grassroots.areas.models import Area

from . import search
from .models import Bulletin, Category


def bulletins() -> QuerySet[Bulletin]:
    """Return every bulletin citizens may read now, newest first.

    Lists are ordered by date so the database walks its index and stops at a
    page; emergencies are shown apart, above the lists (``emergencies``).
    """
    # Related rows come by prefetch, not by join: a join lets SQLite's
    # planner start from the small table and sort every row, instead of
    # walking the (status, first_published_at) index and stopping at a page.
    return (
        Bulletin.objects.public()
        .prefetch_related("category", "issuing_area")
        .order_by(*search.NEWEST_FIRST)
    )


def emergencies(area: Area | None = None, limit: int = 5) -> list[Bulletin]:
    """Return the emergency bulletins in force (for ``area``, if given), newest first."""
    queryset = bulletins().filter(level="emergency")
    if area is not None:
        queryset = relevant_to(queryset, area)
    return list(queryset[:limit])


def relevant_to(queryset: QuerySet[Bulletin], area: Area) -> QuerySet[Bulletin]:
    """Keep bulletins meant for ``area``: aimed at it, above it, or inside it.

    A commune's page shows province-wide bulletins, the commune's own, and
    those for any of its hamlets; a hamlet's page shows its own, its
    commune's and the province's.
    """
    if area.parent_id is None:
        # Everything aimed inside a province was issued inside it. "+ 0" keeps
        # the planner from starting at the issuing-area index (nearly every
        # row matches) instead of walking the date index to a page.
        inside = Area.objects.filter(path__under=area.path).values("pk")
        return queryset.alias(issuing=F("issuing_area_id") + 0).filter(
            issuing__in=inside
        )
    through = Bulletin.target_areas.through
    aimed = through.objects.filter(
        Q(area__path__in=area.ancestor_paths) | Q(area__path__under=area.path)
    ).values("bulletin_id")
    return queryset.filter(pk__in=aimed)


def filtered(
    queryset: QuerySet[Bulletin],
    *,
    area: Area | None = None,
    category: Category | None = None,
    level: str | None = None,
    since: date | None = None,
    until: date | None = None,
    query: str = "",
) -> search.Ranked | QuerySet[Bulletin]:
    """Apply the portal's and the API's filters; words order by relevance.

    With words, the area is part of the full-text lookup (its tokens are in
    each bulletin's search document); without, it is a join on the targets.
    """
    if area is not None and not search.words(query):
        queryset = relevant_to(queryset, area)
    if category is not None:
        queryset = queryset.filter(category=category)
    if level:
        queryset = queryset.filter(level=level)
    tz = timezone.get_current_timezone()
    if since:
        start = datetime.combine(since, time.min, tzinfo=tz)
        queryset = queryset.filter(first_published_at__gte=start)
    if until:
        end = datetime.combine(until, time.max, tzinfo=tz)
        queryset = queryset.filter(first_published_at__lte=end)
    if search.words(query):
        return search.search(queryset, query, area)
    return queryset


def area_by_path(path: str) -> Area | None:
    """Return the active area at ``path`` ("82/28261" or "82/28261/"), if any."""
    path = path.strip("/")
    if not path:
        return None
    return Area.objects.filter(path=f"{path}/", is_active=True).first()
