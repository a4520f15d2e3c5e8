"""Rate limits hold across web processes: the counts live in Redis, not in one process."""

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from .. import abuse

pytestmark = pytest.mark.redis


def test_two_processes_share_one_count(redis_url, monkeypatch):
    prefix = f"test-{uuid.uuid4().hex}"
    # Two cache clients with their own connections, as two uvicorn workers have.
    worker_a = RedisCache(redis_url, {"KEY_PREFIX": prefix})
    worker_b = RedisCache(redis_url, {"KEY_PREFIX": prefix})
    results = []
    for worker in (worker_a, worker_b, worker_a, worker_b):
        monkeypatch.setattr(abuse, "cache", worker)
        results.append(abuse.hit("ip:203.0.113.7", limit=3, window_s=600))
    assert results[:3] == [None, None, None]
    assert results[3] is not None and 0 < results[3] <= 600
    worker_a.clear()


def test_limits_off_for_trusted_clients(redis_url, monkeypatch):
    monkeypatch.setattr(
        abuse, "cache", RedisCache(redis_url, {"KEY_PREFIX": uuid.uuid4().hex})
    )
    assert all(abuse.hit("client:1", limit=0, window_s=60) is None for _ in range(10))
