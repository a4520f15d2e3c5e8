"""Diacritic-insensitive full-text search over bulletins, fast on both databases.

Each bulletin keeps folded copies of its title and words (``search_title``,
``search_document``: lowercase, no diacritics, "đ" as "d"), so "thong bao lu"
finds "Thông báo lũ". Both are indexed by the database's own full-text
engine, created by migration 0002: an FTS5 table kept in step by triggers on
SQLite, generated ``tsvector`` columns with GIN indexes on PostgreSQL.

Every word of the query must appear (whole words: "lu" does not find "lúa").
Results come in two tiers, each newest first: bulletins whose title holds
the words as a phrase, then the others. Each tier is an index-ordered query
with a LIMIT, and counts stop at ``COUNT_CAP``, so the cost does not grow
with the number of matches. See docs/adr/i3-02-bulletin-search.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from grassroots.core.text import fold

from .content import body_text

if TYPE_CHECKING:
    from grassroots.areas.models import Area

    from .models import Bulletin

#: Longest folded document kept; a bulletin's first pages are what people search.
MAX_DOCUMENT_CHARS = 20_000
MAX_QUERY_WORDS = 12
#: Counts stop here: "more than 1,000 results" is enough to say "narrow it".
COUNT_CAP = 1000
#: Lists: newest publication first, straight from the (status, date) index.
NEWEST_FIRST = ("-first_published_at", "-pk")
#: Search tiers: newest bulletin first, by id, so the full-text match list
#: drives the query in order and stops at the page (creation order is
#: publication order for all but scheduled bulletins).
NEWEST_MATCH_FIRST = ("-pk",)
_WORD = re.compile(r"[0-9a-z]+")


def _area_token(kind: str, path: str) -> str:
    segments = [re.sub(r"[^0-9a-z]", "", s.lower()) for s in path.strip("/").split("/")]
    return f"{kind}{'x'.join(segments)}"


def area_tokens(targets: Iterable[Area]) -> list[str]:
    """Return the words that place a bulletin: ``zat<path>`` for each target,
    ``zin<path>`` for each target and every area above it.

    They let a search for words *and* an area run as one full-text lookup
    (see ``area_match``) instead of joining the targets table.
    """
    tokens: set[str] = set()
    for area in targets:
        tokens.add(_area_token("zat", area.path))
        for path in area.ancestor_paths:
            tokens.add(_area_token("zin", path))
    return sorted(tokens)


def area_match(area: Area) -> list[str]:
    """Return the tokens any of which makes a bulletin relevant to ``area``.

    Aimed at the area or anywhere inside it (``zin``), or aimed at the area or
    an area above it (``zat``): the same rule as ``public.relevant_to``.
    """
    return [_area_token("zin", area.path)] + [
        _area_token("zat", path) for path in area.ancestor_paths
    ]


def document_for(bulletin: Bulletin) -> str:
    """Return the folded words of a bulletin, as stored in ``search_document``.

    The words people read come first (the limit cuts the end), then the area
    tokens.
    """
    parts = [
        bulletin.title,
        bulletin.summary,
        body_text(bulletin.body),
        bulletin.issuing_agency,
        bulletin.source_reference,
    ]
    words_ = fold(" ".join(p for p in parts if p))[:MAX_DOCUMENT_CHARS]
    targets = list(bulletin.target_areas.all())
    if not targets and bulletin.issuing_area_id:
        targets = [bulletin.issuing_area]
    return f"{words_} {' '.join(area_tokens(targets))}".strip()


def words(query: str) -> list[str]:
    """Return the folded words of a query, at most ``MAX_QUERY_WORDS``."""
    return _WORD.findall(fold(query or ""))[:MAX_QUERY_WORDS]


def _condition(
    queryset: QuerySet,
    found: list[str],
    *,
    title_phrase: bool,
    places: list[str] | None = None,
) -> Q:
    """Return a filter for all the words (or the phrase in the title), and a place.

    ``places`` are area tokens (``area_match``), any of which must appear.
    """
    vendor = connections[queryset.db].vendor
    table = queryset.model._meta.db_table
    if vendor == "sqlite":
        if title_phrase:
            match = '(search_title : "' + " ".join(found) + '")'
        else:
            match = " ".join(f'"{w}"' for w in found)
        if places:
            match += " AND (" + " OR ".join(f'"{p}"' for p in places) + ")"
        return Q(
            pk__in=RawSQL(  # noqa: S611 - fixed SQL; the words are a parameter
                "SELECT rowid FROM bulletins_search WHERE bulletins_search MATCH %s",
                [match],
            )
        )
    if vendor == "postgresql":
        # The generated tsvector columns of migration 0002; the table and
        # column names are our own, the words are parameters.
        if title_phrase:
            sql = f'"{table}"."search_title_vector" @@ phraseto_tsquery(%s, %s)'
            params = ["simple", " ".join(found)]
            if places:
                sql += f' AND "{table}"."search_vector" @@ to_tsquery(%s, %s)'
                params += ["simple", " | ".join(places)]
        else:
            terms = " & ".join(found)
            if places:
                terms += " & (" + " | ".join(places) + ")"
            sql = f'"{table}"."search_vector" @@ to_tsquery(%s, %s)'
            params = ["simple", terms]
        return Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    # Other databases: a plain scan, correct but slow.
    query = Q()
    if title_phrase:
        query &= Q(search_title__contains=" ".join(found))
    else:
        for word in found:
            query &= Q(search_document__contains=word)
    if places:
        near = Q(pk__in=[])
        for place in places:
            near |= Q(search_document__contains=place)
        query &= near
    return query


def matching(
    queryset: QuerySet[Bulletin], query: str, area: Area | None = None
) -> QuerySet[Bulletin]:
    """Return the bulletins of ``queryset`` with every word of ``query``.

    With ``area``, only those meant for it (as ``public.relevant_to``), in
    the same full-text lookup.
    """
    found = words(query)
    if not found:
        return queryset
    places = area_match(area) if area is not None else None
    return queryset.filter(
        _condition(queryset, found, title_phrase=False, places=places)
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """Return how many rows there are, counting no further than ``cap + 1``.

    The query keeps its ordering, so the database reads rows in index order
    and stops at the limit rather than gathering every match first.
    """
    return queryset[: cap + 1].count()


class Ranked:
    """Search results: title-phrase matches first, then the rest, newest first.

    Behaves as a sequence for Django's paginator. The first page costs one
    capped count and one or two LIMIT queries; later pages also count the
    first tier (capped), to know where the second one starts.
    """

    def __init__(
        self, queryset: QuerySet[Bulletin], query: str, area: Area | None = None
    ):
        found = words(query)
        places = area_match(area) if area is not None else None
        phrase = _condition(queryset, found, title_phrase=True, places=places)
        everything = matching(queryset, query, area)
        self.all = everything.order_by(*NEWEST_MATCH_FIRST)
        # The title is part of the document: a title holding the phrase holds
        # every word, so the first tier needs no second condition.
        self.best = queryset.filter(phrase).order_by(*NEWEST_MATCH_FIRST)
        unplaced = _condition(queryset, found, title_phrase=True)
        self.rest = everything.exclude(unplaced).order_by(*NEWEST_MATCH_FIRST)
        self._best_count: int | None = None

    def best_count(self) -> int:
        if self._best_count is None:
            self._best_count = capped_count(self.best)
        return self._best_count

    def count(self) -> int:
        return capped_count(self.all)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, key: int) -> Bulletin: ...

    @overload
    def __getitem__(self, key: slice) -> list[Bulletin]: ...

    def __getitem__(self, key: int | slice) -> Bulletin | list[Bulletin]:
        if isinstance(key, int):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        if start == 0:
            items = list(self.best[:stop])
            if len(items) < stop:
                self._best_count = len(items)
                items += list(self.rest[: stop - len(items)])
            return items
        n = self.best_count()
        items = list(self.best[start : min(stop, n)]) if start < n else []
        if stop > n:
            items += list(self.rest[max(0, start - n) : stop - n])
        return items

    def __iter__(self) -> Iterator[Bulletin]:
        return iter(self[0 : len(self)])


def search(
    queryset: QuerySet[Bulletin], query: str, area: Area | None = None
) -> Ranked | QuerySet[Bulletin]:
    """Return the bulletins matching ``query`` (and meant for ``area``), best first.

    Without words, ``area`` is ignored here (filter with
    ``public.relevant_to``) and the newest come first.
    """
    if not words(query):
        return queryset.order_by(*NEWEST_FIRST)
    return Ranked(queryset, query, area)


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (``capped`` says it did)."""

    @cached_property
    def count(self) -> int:
        objects: Any = self.object_list
        if isinstance(objects, Ranked):
            total = objects.count()
        elif isinstance(objects, QuerySet):
            total = capped_count(objects)
        else:
            total = len(objects)
        self.capped = total > COUNT_CAP
        return min(total, COUNT_CAP)
