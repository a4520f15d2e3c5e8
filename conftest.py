"""Fixtures shared by every app's tests: the area tree, and the real services.

With ``CI=true`` a test that needs PostgreSQL, Redis, Mosquitto or Icecast fails
when the service is unreachable; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

ARTIFACTS = os.path.join(os.path.dirname(__file__), "test-artifacts")


def _require_service(name: str, url: str) -> str:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
    except OSError:
        message = f"{name} is unreachable at {url}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(f"{message} (with CI=true this fails instead)")
    return url


@pytest.fixture
def tree(db):
    from grassroots.testing import make_tree

    return make_tree()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _require_service(
        "Redis", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )


@pytest.fixture(scope="session")
def mosquitto_url() -> str:
    """The Mosquitto server already running (CI starts one on 1883)."""
    return _require_service(
        "Mosquitto", os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    )


@pytest.fixture(scope="session")
def mosquitto_binary() -> str:
    path = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail("mosquitto is not installed; CI=true requires it")
        pytest.skip("mosquitto is not installed (with CI=true this fails instead)")
    return path


@pytest.fixture(scope="session")
def icecast_binary() -> str:
    """Debian's icecast2, the live broadcasts' stream server."""
    path = shutil.which("icecast2") or "/usr/bin/icecast2"
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail("icecast2 is not installed; CI=true requires it")
        pytest.skip("icecast2 is not installed (with CI=true this fails instead)")
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is not installed; CI=true requires it")
        pytest.skip("chromium is not installed (with CI=true this fails instead)")
    return path


@pytest.fixture
def browser(chromium_path, monkeypatch):
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the test makes meanwhile are still plain synchronous ones. monkeypatch
    # restores the variable: a later subprocess (check --deploy) must not see it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def artifacts_dir() -> str:
    """Where browser tests keep their screenshots."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items):
    """Give every transactional test (live server, browser) serialized rollback.

    A transactional test empties the database afterwards, and Django then
    re-runs post_migrate, which recreates the role groups and Wagtail's rows.
    A later test with serialized rollback would load the same rows again and
    clash on their ids; with all of them serialized, the data migrations made
    (categories, workflow, groups) come back exactly once.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "live_server" in getattr(
            item, "fixturenames", ()
        ) or "transactional_db" in getattr(item, "fixturenames", ())
        if marker is not None and marker.kwargs.get("transaction"):
            transactional = True
        if transactional:
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True),
                append=False,
            )
