"""Whether anything the system keeps still names a row: delete it, or retire it.

Mature records systems do not delete what history points at: an account that
signed in or wrote a bulletin, an area that received broadcasts, a category
that classifies citizens' feedback. The delete actions ask here and retire
(close, switch off) such a row instead, so every record keeps its meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.db.models import Model


def is_referenced(instance: Model, *, owned: Iterable[str] = ()) -> bool:
    """Return True if a row outside ``instance`` and what it owns points at it.

    ``owned`` lists the models (``app_label.model``) that belong to the row
    and go with it. A protected reference, a row that would be deleted with
    it or one whose reference would be emptied all count.
    """
    keep = {instance._meta.label_lower, *owned}
    collector = NestedObjects(using=router.db_for_write(type(instance)))
    collector.collect([instance])
    if collector.protected:
        return True
    for model, rows in collector.data.items():
        if rows and model._meta.label_lower not in keep:
            return True
    for (field, _value), batches in collector.field_updates.items():
        if field.model._meta.label_lower in keep:
            continue
        for batch in batches:
            if batch.exists() if hasattr(batch, "exists") else batch:
                return True
    return False
