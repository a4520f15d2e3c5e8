"""The numbers: received, handled on time or late, overdue, time to answer.

Other apps (the indicators framework) call :func:`summary`; the console's
numbers page shows the same figures. An item counts in the period in which
it was *received*; whether it was handled on time is judged against its own
deadline, as of ``as_of`` (default: now).

The brief's indicator, "feedback received and handled on the system", is
``handled_rate``: the share of items received in the period that were
answered (on time or late) or closed. ``on_time_rate`` is the share answered
by their deadline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from grassroots.areas.models import Area

from .models import Channel, Feedback
from .models.feedback import OPEN_STATUSES


@dataclass
class Counts:
    """Figures for one slice (all, a category, a channel)."""

    received: int = 0
    handled_on_time: int = 0
    handled_late: int = 0
    open_in_time: int = 0
    overdue_open: int = 0
    closed_unanswered: int = 0
    answer_hours_total: float = 0.0

    @property
    def handled(self) -> int:
        return self.handled_on_time + self.handled_late

    @property
    def handled_rate(self) -> float | None:
        """Share received and handled on the system (0–1), None when nothing came in.

        Handled is answered (on time or late) or closed without an answer
        (withdrawn, not feedback), as the indicator ``feedback_handled`` counts.
        """
        if not self.received:
            return None
        return (self.handled + self.closed_unanswered) / self.received

    @property
    def on_time_rate(self) -> float | None:
        return self.handled_on_time / self.received if self.received else None

    @property
    def handled_percent(self) -> float | None:
        rate = self.handled_rate
        return round(rate * 100, 1) if rate is not None else None

    @property
    def average_hours_to_answer(self) -> float | None:
        return self.answer_hours_total / self.handled if self.handled else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "received": self.received,
            "handled_on_time": self.handled_on_time,
            "handled_late": self.handled_late,
            "open_in_time": self.open_in_time,
            "overdue_open": self.overdue_open,
            "closed_unanswered": self.closed_unanswered,
            "handled_rate": self.handled_rate,
            "on_time_rate": self.on_time_rate,
            "average_hours_to_answer": self.average_hours_to_answer,
        }


@dataclass
class Summary(Counts):
    """Figures for an area and period, with the same figures by category and channel."""

    area_path: str = ""
    start: date | None = None
    end: date | None = None
    by_category: dict[str, Counts] = field(default_factory=dict)
    by_channel: dict[str, Counts] = field(default_factory=dict)
    #: Keyed by the path of the unit handling the items (with ``by_area=True``).
    by_area: dict[str, Counts] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "area": self.area_path,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            **super().as_dict(),
            "by_category": {k: v.as_dict() for k, v in self.by_category.items()},
            "by_channel": {k: v.as_dict() for k, v in self.by_channel.items()},
            "by_area": {k: v.as_dict() for k, v in self.by_area.items()},
        }


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def summary(
    area: Area | str,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    queryset=None,
    by_area: bool = False,
) -> Summary:
    """Return the feedback figures of ``area`` (and below) received from ``start`` to ``end``.

    ``end`` is inclusive. Items merged into another count once, as the
    original. ``queryset`` narrows further (a user's scope, for instance).
    ``by_area`` adds the figures of each unit below (one query in all).
    """
    path = area if isinstance(area, str) else area.path
    as_of = as_of or timezone.now()
    today = timezone.localtime(as_of).date()
    since, until = _bounds(start, end)
    rows = (queryset if queryset is not None else Feedback.objects.all()).filter(
        area__path__under=path,
        received_at__gte=since,
        received_at__lt=until,
        merged_into=None,
    )
    result = Summary(area_path=path, start=start, end=end)
    by_category: dict[str, Counts] = defaultdict(Counts)
    by_channel: dict[str, Counts] = defaultdict(Counts)
    areas: dict[str, Counts] = defaultdict(Counts)
    for (
        status,
        due,
        received_at,
        answered_at,
        category,
        channel,
        unit,
    ) in rows.values_list(
        "status",
        "due_date",
        "received_at",
        "answered_at",
        "category__code",
        "channel",
        "area__path",
    ).iterator(chunk_size=2000):
        slices: tuple[Counts, ...] = (
            result,
            by_category[category],
            by_channel[channel],
        )
        if by_area:
            slices = (*slices, areas[unit])
        if answered_at is not None and answered_at <= as_of:
            on_time = timezone.localtime(answered_at).date() <= due
            hours = (answered_at - received_at).total_seconds() / 3600
            for s in slices:
                s.received += 1
                if on_time:
                    s.handled_on_time += 1
                else:
                    s.handled_late += 1
                s.answer_hours_total += hours
        elif status in OPEN_STATUSES or answered_at is not None:
            overdue = due < today
            for s in slices:
                s.received += 1
                if overdue:
                    s.overdue_open += 1
                else:
                    s.open_in_time += 1
        else:
            for s in slices:
                s.received += 1
                s.closed_unanswered += 1
    result.by_category = dict(sorted(by_category.items()))
    result.by_channel = {c: by_channel[c] for c in Channel.values if c in by_channel}
    result.by_area = dict(sorted(areas.items()))
    return result
