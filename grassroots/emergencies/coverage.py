"""Tell the dissemination report which clusters an emergency was sent to.

An emergency reaches devices through area topics, so no schedule or command
row names its clusters; without this a cluster that never acknowledged would
be missing from the bulletin's report instead of standing there as not heard.
"""

from __future__ import annotations

from collections.abc import Iterable

from grassroots.bulletins.models import Bulletin
from grassroots.dissemination.report import register_sent_source

from .live import targeted_clusters
from .models import Emergency


@register_sent_source
def emergency_recipients(bulletin: Bulletin) -> Iterable[int]:
    """Return the clusters targeted by every emergency that aired ``bulletin``."""
    ids: set[int] = set()
    for emergency in Emergency.objects.filter(bulletin=bulletin):
        ids.update(targeted_clusters(emergency).values_list("pk", flat=True))
    return ids
