"""DRF throttles that keep counting when the shared cache is down (see core.cache)."""

from typing import Any

from rest_framework import throttling
from rest_framework.request import Request

from core.cache import cache_call


class FallbackCacheThrottleMixin:
    """Throttle history in the shared cache, or in the database cache while that one is down."""

    cache: Any

    def allow_request(self, request: Request, view: Any) -> bool:
        def allow(cache: Any) -> bool:
            self.cache = cache
            return super(FallbackCacheThrottleMixin, self).allow_request(request, view)  # type: ignore[misc]

        return cache_call(allow)


class ScopedRateThrottle(FallbackCacheThrottleMixin, throttling.ScopedRateThrottle):
    pass


class AnonRateThrottle(FallbackCacheThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FallbackCacheThrottleMixin, throttling.UserRateThrottle):
    pass
