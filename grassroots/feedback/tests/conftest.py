"""Fixtures of the feedback tests: a province with hamlets placed on the map."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from grassroots.accounts.roles import Role
from grassroots.testing import make_user

from .. import jurisdiction, routing, workdays
from ..notify import MemoryNotifier
from ..open311 import clients as open311_clients
from ..open311 import views as open311_views


def _reset() -> None:
    cache.clear()
    jurisdiction.forget()
    routing.forget()
    open311_clients.forget()
    open311_views.forget()
    workdays._state.update(version=None, checked=0.0, off=set(), on=set())
    MemoryNotifier.sent.clear()


@pytest.fixture(autouse=True)
def clean_state(settings):
    """Every test starts with empty rate-limit counters and fresh caches."""
    settings.GRASSROOTS_FEEDBACK_NOTIFIERS = {
        "email": "grassroots.feedback.notify.MemoryNotifier",
        "sms": "grassroots.feedback.notify.MemoryNotifier",
    }
    _reset()
    yield
    _reset()


@pytest.fixture
def place(tree, settings):
    """The test tree, with coordinates, as the province this system serves."""
    from ..models import CalendarDay, Category
    from ..seed import seed_calendar, seed_categories

    # Transactional tests (live server) flush what the migration seeded.
    if not Category.objects.exists():
        seed_categories(Category)
        seed_calendar(CalendarDay)
    settings.GRASSROOTS_FEEDBACK_JURISDICTION = tree.province.code
    coords = {
        tree.commune_a: (10.40, 105.60),
        tree.hamlet_a1: (10.41, 105.61),
        tree.hamlet_a2: (10.39, 105.59),
        tree.commune_b: (10.50, 105.80),
        tree.hamlet_b1: (10.51, 105.81),
        tree.hamlet_b2: (10.49, 105.79),
    }
    for area, (lat, lon) in coords.items():
        type(area).objects.filter(pk=area.pk).update(latitude=lat, longitude=lon)
        area.latitude, area.longitude = lat, lon
    return tree


@pytest.fixture
def handler_a(place):
    return make_user(Role.FEEDBACK_HANDLER, place.commune_a, email="a@example.org")


@pytest.fixture
def handler_b(place):
    return make_user(Role.FEEDBACK_HANDLER, place.commune_b, email="b@example.org")


@pytest.fixture
def province_handler(place):
    return make_user(Role.FEEDBACK_HANDLER, place.province, email="tinh@example.org")
