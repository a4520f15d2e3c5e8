"""Builders of training records for tests (this app's and the indicators')."""

from __future__ import annotations

import datetime
import itertools

from grassroots.areas.models import Area
from grassroots.training.models import (
    Attendance,
    Course,
    Official,
    Status,
    Topic,
    TrainingSession,
)

_n = itertools.count(1)


def official(area: Area, name: str | None = None, **fields) -> Official:
    return Official.objects.create(
        area=area, full_name=name or f"Nguyễn Văn {next(_n)}", **fields
    )


def course(area: Area, topic: str = Topic.PROFESSIONAL, **fields) -> Course:
    fields.setdefault("title", f"Khóa {topic} {next(_n)}")
    return Course.objects.create(area=area, topic=topic, **fields)


def session(
    course: Course,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    **fields,
) -> TrainingSession:
    fields.setdefault("place", "Hội trường UBND")
    fields.setdefault("trainer", "ThS. Lê Văn Tám")
    return TrainingSession.objects.create(
        course=course,
        area=fields.pop("area", course.area),
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        **fields,
    )


def completed(
    person: Official, area: Area, topic: str, on: datetime.date, **fields
) -> Attendance:
    """Return a completed attendance of ``person`` in a new one-day session on ``on``."""
    s = session(course(area, topic), on)
    return Attendance.objects.create(
        session=s,
        official=person,
        status=fields.pop("status", Status.COMPLETED),
        completed_on=fields.pop("completed_on", on),
        **fields,
    )


def trained(person: Official, area: Area, prof_on, it_on, it_topic=Topic.AUTHORING):
    completed(person, area, Topic.PROFESSIONAL, prof_on)
    completed(person, area, it_topic, it_on)
    return person
