"""Staff lists of the training app, for the scope harness."""

import datetime

from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level
from grassroots.testing.scope import ScopedEndpoint
from grassroots.training.models import Course, Official, Topic, TrainingSession


def _official(area, marker):
    return Official.objects.create(area=area, full_name=marker)


def _course(area, marker):
    return Course.objects.create(area=area, title=marker, topic=Topic.PROFESSIONAL)


def _session(area, marker):
    course = Course.objects.create(area=area, title="Khóa", topic=Topic.EQUIPMENT)
    return TrainingSession.objects.create(
        course=course,
        area=area,
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 3, 2),
        place=marker,
        trainer="ThS. Lê Văn Tám",
    )


ENDPOINTS = [
    ScopedEndpoint(
        "training roster",
        "/console/training/roster/?q={marker_prefix}",
        _official,
        Capability.VIEW,
    ),
    ScopedEndpoint(
        "training courses",
        "/console/training/courses/?q={marker_prefix}",
        _course,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
    ScopedEndpoint(
        "training sessions",
        "/console/training/sessions/?q={marker_prefix}",
        _session,
        Capability.VIEW,
        levels=(Level.PROVINCE, Level.COMMUNE),
    ),
]
