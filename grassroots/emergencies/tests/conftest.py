"""Fixtures of the emergency tests: people, published emergency bulletins, fake speech."""

from __future__ import annotations

import pytest

from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.loudspeakers.tests.conftest import (  # noqa: F401 - fixtures
    broker,
    loop_thread,
    outbox,
    topic_root,
)
from grassroots.testing import make_user
from grassroots.tts.engines import _engines
from grassroots.tts.engines.memory import MemoryEngine

FAKE = "grassroots.tts.engines.memory.MemoryEngine"


@pytest.fixture(autouse=True)
def fake_speech(settings, tmp_path):
    """Instant speech, files in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.GRASSROOTS_TTS_ENGINE = FAKE
    MemoryEngine.calls.clear()
    MemoryEngine.fail_with = None
    yield MemoryEngine
    MemoryEngine.fail_with = None
    _engines.pop(FAKE, None)


@pytest.fixture
def people(tree):
    return make_people(tree)


@pytest.fixture
def operator_a(tree):
    return make_user("operator", tree.commune_a, username="op_a")


@pytest.fixture
def operator_province(tree):
    return make_user("operator", tree.province, username="op_p")


@pytest.fixture
def flood(tree, people):
    """A published emergency bulletin of commune A (its handlers not run)."""
    return make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        level="emergency",
        title="Lũ khẩn cấp",
        summary="Nước sông dâng nhanh, di dời ngay.",
    )


@pytest.fixture
def fire(tree, people):
    return make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        level="emergency",
        title="Cháy rừng",
        summary="Cháy rừng tràm, tránh xa khu vực.",
    )


def emergency_lists(memory, topic_suffix: str) -> list[dict]:
    """Every emergency list published on the topic ending with ``topic_suffix``."""
    return [
        m.json()
        for m in memory.messages
        if m.topic.endswith(topic_suffix) and m.topic.endswith("/emergency")
    ]
