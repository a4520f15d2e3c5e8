"""The materialised path of an area, and the ``under`` lookup that uses it.

An area's path is the chain of codes from its province down, each followed by
"/": ``82/`` (Đồng Tháp), ``82/28261/`` (Phường Mỹ Tho), ``82/28261/H01/``
(a hamlet). "Everything under an area" is then a prefix match, answered by a
B-tree index on every database, so it stays fast for the whole country. The
same path names the area's MQTT topics.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Lookup

SEGMENT = re.compile(r"^[0-9A-Za-z-]{1,20}$")


class PathField(models.CharField):
    """A materialised path; indexed so that prefix queries are fast."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        if kwargs.get("db_index") is True:
            del kwargs["db_index"]
        return name, path, args, kwargs


@PathField.register_lookup
class Under(Lookup):
    """``path__under="82/28261/"``: the area itself and everything below it.

    PostgreSQL answers ``LIKE 'prefix%'`` from the ``varchar_pattern_ops`` index
    Django creates for indexed text columns. SQLite's LIKE ignores case and so
    cannot use a plain index; a range on the binary collation can.
    """

    lookup_name = "under"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        params = [*lhs_params, self.rhs, *lhs_params, upper_bound(self.rhs)]
        return f"({lhs} >= %s AND {lhs} < %s)", params


def upper_bound(prefix: str) -> str:
    """Return the smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
