"""The scope harness: every staff list, over every role on every area of a tree.

An app declares its staff-visible endpoints in ``<app>/tests/scope_endpoints.py``
as ``ENDPOINTS = [ScopedEndpoint(...), ...]``. The accounts app's test then
builds one object in each area of a generated tree, logs in as each role on
each area, fetches each endpoint through the real HTTP stack, and checks that
exactly the objects inside the user's scope appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Model

from grassroots.areas.models import Area, Level


@dataclass(frozen=True)
class ScopedEndpoint:
    """A page or API call that lists objects by area.

    ``make(area, marker)`` creates one object in ``area`` whose listing shows
    the unique text ``marker``; ``levels`` says in which kinds of area such an
    object can exist; ``capability`` is what a user needs to see it.
    """

    name: str
    url: str
    make: Callable[[Area, str], Model]
    capability: str
    levels: tuple[int, ...] = (Level.PROVINCE, Level.COMMUNE, Level.HAMLET)
    #: Extra query string or headers per request, if any.
    headers: dict[str, str] = field(default_factory=dict)
    #: Status codes that mean "not allowed at all" for a role without the capability.
    refused: tuple[int, ...] = (302, 403, 404)
    json: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def collect() -> list[ScopedEndpoint]:
    """Return the endpoints declared by every grassroots app."""
    found: list[ScopedEndpoint] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("grassroots."):
            continue
        dotted = f"{config.name}.tests.scope_endpoints"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue
        found.extend(module.ENDPOINTS)
    return found
