"""Speech engines behind one interface; the engine is chosen by a setting.

``GRASSROOTS_TTS_ENGINE`` names the engine class (default: espeak-ng). Adding
an engine is one subclass of :class:`~.base.Engine`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Engine, EngineUnavailable, SynthesisError, Voice

__all__ = ["Engine", "EngineUnavailable", "SynthesisError", "Voice", "get_engine"]

_engines: dict[str, Engine] = {}


def get_engine() -> Engine:
    """Return the configured engine (one instance per class and process)."""
    path = settings.GRASSROOTS_TTS_ENGINE
    if path not in _engines:
        _engines[path] = import_string(path)()
    return _engines[path]
