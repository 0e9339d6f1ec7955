"""The shared cache (Redis), and what happens when it is down.

Throttles and limits must hold without it: `cache_call` runs a cache operation on the shared cache
and, if that cache cannot be reached, on `caches["fallback"]`, a table in the database
(core.CacheEntry). Slower, but shared by every process, so limits still count across workers and
nobody gets a 500 because Redis restarted.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import BaseCache, caches
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What a cache that is down raises: redis-py's errors (ConnectionError, TimeoutError) and the OS's.
CACHE_DOWN: tuple[type[Exception], ...] = (RedisError, ConnectionError, TimeoutError, OSError)


def cache_call(operation: Callable[[BaseCache], T]) -> T:
    """`operation(cache)` on the shared cache, or on the database cache while it is down."""
    try:
        return operation(caches["default"])
    except CACHE_DOWN as exc:
        logger.warning("shared cache unavailable, counting in the database instead: %s", exc)
        return operation(caches["fallback"])
