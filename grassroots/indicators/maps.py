"""Layers of the dashboard map: units now; loudspeaker clusters and boards later.

An app adds a layer in its ``<app>/indicators.py``::

    @maps.register_layer("clusters", gettext_lazy("Loudspeaker clusters"))
    def clusters(area, user):
        return [maps.Feature(lat, lon, label, state_label, colour), ...]

The builder must filter through the scope rule itself (``scope.scope``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from grassroots.areas.models import Area

from .registry import Status

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor

#: Marker colours by indicator status (the same as the cards).
STATUS_COLOURS: dict[str, str] = {
    Status.MET: "#1e8e3e",
    Status.NEAR: "#c58a00",
    Status.BEHIND: "#c5221f",
    Status.NONE: "#80868b",
}


@dataclass(frozen=True)
class Feature:
    latitude: float
    longitude: float
    label: str
    state: str
    colour: str
    url: str = ""


LayerBuilder = Callable[[Area | None, Any], list[Feature]]
_layers: dict[str, tuple[Any, LayerBuilder]] = {}


def register_layer(code: str, label: Any) -> Callable[[LayerBuilder], LayerBuilder]:
    def decorator(builder: LayerBuilder) -> LayerBuilder:
        _layers[code] = (label, builder)
        return builder

    return decorator


def layers(area: Area | None, user: Actor) -> list[dict[str, Any]]:
    """Return every registered layer's features for ``area`` as plain data."""
    from .registry import discover

    discover()
    out = []
    for code, (label, builder) in _layers.items():
        features = builder(area, user)
        out.append(
            {
                "code": code,
                "label": str(label),
                "features": [asdict(f) for f in features],
            }
        )
    return out
