"""Throttles keep counting when the shared cache (Redis) is down: in the database, never a 500."""

import pytest
from django.core.cache import caches

from core.api import throttling
from core.models import CacheEntry
from tests.factories.core import PASSWORD, CustomerFactory
from tests.servers import free_port


@pytest.fixture
def redis_down(settings):
    """The shared cache is a Redis nobody answers on (as while it restarts)."""
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    yield
    caches["fallback"].clear()


@pytest.fixture
def two_per_minute(monkeypatch):
    monkeypatch.setattr(throttling.ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/minute"})


def test_token_endpoint_counts_in_the_database_while_redis_is_down(db, api_client, redis_down, two_per_minute):
    user = CustomerFactory()
    answers = [api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]
    assert CacheEntry.objects.filter(cache_key__contains="throttle_auth").exists()


def test_sign_up_is_throttled_not_broken_while_redis_is_down(db, api_client, redis_down, two_per_minute, directory):
    answers = [api_client.post("/api/v1/auth/register/", {
        "email": f"ana{n}@example.com", "password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz",
        "zip_code": "60605"}).status_code for n in range(3)]
    assert answers == [202, 202, 429]


def test_with_the_shared_cache_up_the_database_is_not_used(db, api_client, two_per_minute):
    caches["default"].clear()  # other tests' requests counted there
    user = CustomerFactory()
    assert api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).status_code == 200
    assert not CacheEntry.objects.exists()
