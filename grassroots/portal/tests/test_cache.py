"""The portal's cache empties on every bulletin event, on the real Redis too."""

import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from grassroots.bulletins import actions
from grassroots.bulletins.tests.builders import make_published
from grassroots.portal import cache as portal_cache


def test_the_generation_moves_on_each_event(tree, people, committed):
    before = portal_cache.generation()
    with committed():
        bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    published = portal_cache.generation()
    assert published > before
    with committed():
        actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    assert portal_cache.generation() > published


@pytest.mark.redis
def test_invalidation_works_on_redis(redis_url, client, tree, people, committed):
    """Production shares one Redis cache between web processes."""
    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=redis):
        page = f"/khu-vuc/{tree.commune_a.url_path}/"
        assert "Tin trên Redis" not in client.get(page).content.decode()
        with committed():
            make_published(
                people.editor_a,
                people.approver_a,
                tree.commune_a,
                title="Tin trên Redis",
            )
        assert "Tin trên Redis" in client.get(page).content.decode()
        cache.clear()
