"""Fixtures of the broadcast tests: media in a temporary folder, the fake speech
engine, the in-memory device plane, and the real brokers of the loudspeaker tests."""

from __future__ import annotations

import pytest

from grassroots.loudspeakers.tests.conftest import (  # noqa: F401 - fixtures
    broker,
    loop_thread,
    outbox,
    topic_root,
)
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


@pytest.fixture(autouse=True)
def fake_engine(settings):
    settings.GRASSROOTS_TTS_ENGINE = FAKE
    MemoryEngine.calls.clear()
    MemoryEngine.fail_with = None
    yield MemoryEngine
    _engines.pop(FAKE, None)


@pytest.fixture
def bulletin_factory(tree):
    """Return a function making a bulletin of an area on the air (no channel events).

    Published in the rows only: the compiler airs bulletins on the air now,
    and these tests schedule the programme item themselves.
    """
    import datetime

    from django.utils import timezone

    from grassroots.bulletins.models import Bulletin, Status
    from grassroots.bulletins.tests.builders import make_bulletin
    from grassroots.testing import make_user

    editor = make_user("editor", tree.province, username="b_writer")

    def build(area, **kwargs):
        bulletin = make_bulletin(editor, area, **kwargs)
        Bulletin.objects.filter(pk=bulletin.pk).update(
            status=Status.PUBLISHED,
            live=True,
            valid_from=timezone.now() - datetime.timedelta(hours=1),
        )
        bulletin.refresh_from_db()
        return bulletin

    return build
