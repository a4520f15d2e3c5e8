"""Fixtures of the speech tests: the fake engine, and media in a temporary folder."""

import pytest

from grassroots.tts.engines import _engines
from grassroots.tts.engines.memory import MemoryEngine

FAKE = "grassroots.tts.engines.memory.MemoryEngine"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def fake_engine(settings):
    """The in-memory engine: instant, records its calls, fails on demand."""
    settings.GRASSROOTS_TTS_ENGINE = FAKE
    MemoryEngine.calls.clear()
    MemoryEngine.fail_with = None
    yield MemoryEngine
    MemoryEngine.calls.clear()
    MemoryEngine.fail_with = None
    _engines.pop(FAKE, None)
