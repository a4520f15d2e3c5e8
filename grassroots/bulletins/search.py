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
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from grassroots.core.text import fold

from .content import body_text

if TYPE_CHECKING:
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


def document_for(bulletin: Bulletin) -> str:
    """Return the folded words of a bulletin, as stored in ``search_document``."""
    parts = [
        bulletin.title,
        bulletin.summary,
        body_text(bulletin.body),
        bulletin.issuing_agency,
        bulletin.source_reference,
    ]
    return fold(" ".join(p for p in parts if p))[:MAX_DOCUMENT_CHARS]


def words(query: str) -> list[str]:
    """Return the folded words of a query, at most ``MAX_QUERY_WORDS``."""
    return _WORD.findall(fold(query or ""))[:MAX_QUERY_WORDS]


def _condition(queryset: QuerySet, found: list[str], *, title_phrase: bool) -> Q:
    """Return a filter for all the words, or for the phrase in the title."""
    vendor = connections[queryset.db].vendor
    table = queryset.model._meta.db_table
    if vendor == "sqlite":
        if title_phrase:
            match = 'search_title : "' + " ".join(found) + '"'
        else:
            match = " ".join(f'"{w}"' for w in found)
        return Q(
            pk__in=RawSQL(  # noqa: S611 - fixed SQL; the words are a parameter
                "SELECT rowid FROM bulletins_search WHERE bulletins_search MATCH %s",
                [match],
            )
        )
    if vendor == "postgresql":
        # The generated tsvector columns of migration 0002.
        column, function, joined = (
            ("search_title_vector", "phraseto_tsquery", " ".join(found))
            if title_phrase
            else ("search_vector", "to_tsquery", " & ".join(found))
        )
        # The table and column names are our own; the words are a parameter.
        condition = RawSQL(  # noqa: S611
            f'"{table}"."{column}" @@ {function}(%s, %s)',
            ["simple", joined],
            output_field=BooleanField(),
        )
        return Q(condition)
    # Other databases: a plain scan, correct but slow.
    if title_phrase:
        return Q(search_title__contains=" ".join(found))
    query = Q()
    for word in found:
        query &= Q(search_document__contains=word)
    return query


def matching(queryset: QuerySet[Bulletin], query: str) -> QuerySet[Bulletin]:
    """Return the bulletins of ``queryset`` that contain every word of ``query``."""
    found = words(query)
    if not found:
        return queryset
    return queryset.filter(_condition(queryset, found, title_phrase=False))


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

    def __init__(self, queryset: QuerySet[Bulletin], query: str):
        found = words(query)
        phrase = _condition(queryset, found, title_phrase=True)
        everything = matching(queryset, query)
        self.all = everything.order_by(*NEWEST_MATCH_FIRST)
        # The title is part of the document: a title holding the phrase holds
        # every word, so the first tier needs no second condition.
        self.best = queryset.filter(phrase).order_by(*NEWEST_MATCH_FIRST)
        self.rest = everything.exclude(phrase).order_by(*NEWEST_MATCH_FIRST)
        self._best_count: int | None = None

    def best_count(self) -> int:
        if self._best_count is None:
            self._best_count = capped_count(self.best)
        return self._best_count

    def count(self) -> int:
        return capped_count(self.all)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
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


def search(queryset: QuerySet[Bulletin], query: str) -> Ranked | QuerySet[Bulletin]:
    """Return the bulletins matching ``query``, best first (newest first without words)."""
    if not words(query):
        return queryset.order_by(*NEWEST_FIRST)
    return Ranked(queryset, query)


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (``capped`` says it did)."""

    @cached_property
    def count(self) -> int:
        objects = self.object_list
        total = objects.count() if isinstance(objects, Ranked) else None
        if total is None:
            total = (
                capped_count(objects) if hasattr(objects, "order_by") else len(objects)
            )
        self.capped = total > COUNT_CAP
        return min(total, COUNT_CAP)
