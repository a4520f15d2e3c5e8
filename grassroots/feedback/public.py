"""Feedback the public may see, for the portal: published answers, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grassroots.areas.models import Area

from .models import Feedback


@dataclass(frozen=True)
class PublishedFeedback:
    """One item as the portal shows it: no name, contact, address or exact point.

    Named by its public id: the tracking code (the citizen's key to the item
    and to reopening it) is never listed.
    """

    public_id: str
    category: str
    description: str
    area: str
    received_at: datetime
    answered_at: datetime | None
    answer: str


def published(
    area: Area | str | None = None, *, limit: int = 20
) -> list[PublishedFeedback]:
    """Return the newest items staff chose to show on the portal, in ``area`` if given."""
    items = Feedback.objects.filter(show_on_portal=True, merged_into=None).exclude(
        public_answer=""
    )
    if area is not None:
        path = area if isinstance(area, str) else area.path
        items = items.filter(area__path__under=path)
    return [
        PublishedFeedback(
            public_id=item.public_id,
            category=item.category.name,
            description=item.description,
            area=item.area.name,
            received_at=item.received_at,
            answered_at=item.answered_at,
            answer=item.public_answer,
        )
        for item in items.select_related("category", "area").order_by("-answered_at")[
            :limit
        ]
    ]
