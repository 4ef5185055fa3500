"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of a 500.

The cache holds nothing the portal cannot do without: rate-limit counters (core.ratelimit,
allauth's sign-in limits). With Redis stopped, Django's own RedisCache raises on every call,
and every sign-in and help request answered 500. This backend answers as an empty cache that
accepts every write: reads miss, `add` succeeds (so allauth's lock is "taken" and its limits
allow the request), counters start again. Rate limits are therefore not enforced during an
outage; that is logged once as a warning when it starts, and once when Redis is back.

After a failure the backend does not try Redis again for `RETRY_AFTER_SECONDS`, so a stopped
or unreachable Redis costs one short connect timeout per process per interval, not one per call.
"""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class _Outage:
    """Whether this process last found Redis down, and when it may try again (shared by its threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0

    def skip(self) -> bool:
        return self.down and time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            if self.down:
                return
            self.down = True
        logger.warning(
            "Cache (Redis) unreachable (%s); carrying on without it; rate limits are NOT enforced until it is back.",
            error,
        )

    def recovered(self) -> None:
        if not self.down:
            return
        with self.lock:
            was_down, self.down = self.down, False
        if was_down:
            logger.warning("Cache (Redis) reachable again; rate limits are enforced again.")


_OUTAGES: dict[str, _Outage] = {}
_OUTAGES_LOCK = threading.Lock()


def _failsafe(fallback):
    """Run the RedisCache method; while Redis is unreachable return `fallback(*args, **kwargs)` instead."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.outage.skip():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:  # ConnectionError, TimeoutError, a Redis restarting (BusyLoadingError)
                self.outage.failed(error)
                return fallback(*args, **kwargs)
            self.outage.recovered()
            return result

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _incr(key, delta=1, version=None):
    return delta


class FailSafeRedisCache(RedisCache):
    """RedisCache that behaves as an empty, write-accepting cache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # Django makes one cache object per thread: the outage is shared by all of them.
        with _OUTAGES_LOCK:
            self.outage = _OUTAGES.setdefault(str(server), _Outage())

    add = _failsafe(lambda *a, **k: True)(RedisCache.add)
    get = _failsafe(_default)(RedisCache.get)
    set = _failsafe(lambda *a, **k: None)(RedisCache.set)
    touch = _failsafe(lambda *a, **k: False)(RedisCache.touch)
    delete = _failsafe(lambda *a, **k: False)(RedisCache.delete)
    get_many = _failsafe(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _failsafe(lambda *a, **k: False)(RedisCache.has_key)
    incr = _failsafe(_incr)(RedisCache.incr)
    set_many = _failsafe(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _failsafe(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _failsafe(lambda *a, **k: False)(RedisCache.clear)
