"""Diacritic-insensitive full-text search over bulletins, fast on both databases.

Each bulletin keeps a folded copy of its words (``search_document``: lowercase,
no diacritics, "đ" as "d"), so "thong bao lu" finds "Thông báo lũ". The copy
is indexed by the database's own full-text engine, created by migration
0002: an FTS5 table kept in step by triggers on SQLite, a GIN index on
``to_tsvector('simple', search_document)`` on PostgreSQL. Every word of the
query must appear; bulletins whose title holds the whole phrase come first,
then the newest. See docs/adr/0003-bulletin-search.md for the measurements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import BooleanField, Case, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from grassroots.core.text import fold

from .content import body_text

if TYPE_CHECKING:
    from .models import Bulletin

#: Longest folded document kept; a bulletin's first pages are what people search.
MAX_DOCUMENT_CHARS = 20_000
MAX_QUERY_WORDS = 12
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


def matching(queryset: QuerySet[Bulletin], query: str) -> QuerySet[Bulletin]:
    """Return the bulletins of ``queryset`` that contain every word of ``query``."""
    found = words(query)
    if not found:
        return queryset
    vendor = connections[queryset.db].vendor
    table = queryset.model._meta.db_table
    if vendor == "sqlite":
        match = " ".join(f'"{w}"' for w in found)
        return queryset.filter(
            pk__in=RawSQL(  # noqa: S611 - fixed SQL; the words are a parameter
                "SELECT rowid FROM bulletins_search WHERE bulletins_search MATCH %s",
                [match],
            )
        )
    if vendor == "postgresql":
        # The table name is our own; the words are passed as a parameter.
        condition = RawSQL(  # noqa: S611
            f'to_tsvector(\'simple\', "{table}"."search_document") '
            "@@ to_tsquery('simple', %s)",
            [" & ".join(found)],
            output_field=BooleanField(),
        )
        return queryset.alias(fts_match=condition).filter(fts_match=True)
    # Other databases: a plain scan, correct but slow.
    for word in found:
        queryset = queryset.filter(search_document__contains=word)
    return queryset


def ranked(queryset: QuerySet[Bulletin], query: str) -> QuerySet[Bulletin]:
    """Return ``queryset`` with whole-phrase title matches first, then newest."""
    phrase = " ".join(words(query))
    if not phrase:
        return queryset
    return queryset.annotate(
        title_rank=Case(
            When(search_title__contains=phrase, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("title_rank", "-first_published_at", "-created_at", "-pk")


def search(queryset: QuerySet[Bulletin], query: str) -> QuerySet[Bulletin]:
    """Return the bulletins matching ``query``, best first."""
    return ranked(matching(queryset, query), query)
