"""A Redis cache the site can do without (``CACHES`` with ``REDIS_URL``).

The cache is an optimisation: the page cache (readpath/caching.py), the API's rate limit
and its sync check (programmes/domain/sync.py) all keep their state in it. Django's ``RedisCache``
raises when Redis cannot be reached, which turned every public page and API call into a 500.
:class:`ResilientRedisCache` answers instead as an empty cache that keeps nothing: a read is a
miss, a write does nothing. So while Redis is away pages are rendered for every request, the
API compares its records on every call and the rate limit is not applied; nothing breaks.

**Failing fast.** Short socket timeouts (settings.py) keep a Redis that does not answer from
holding a request up for long, and after a failure Redis is left alone for ``RETRY_AFTER``
seconds (every operation is a miss at once) before the next operation tries it again. The
state is shared by the threads of a process.

**Logging.** One warning when Redis becomes unreachable, a reminder at most once a minute
while it stays away, and one when it is back; never one per request.

**After an outage** a process cannot know what changed while it could not write: the new
content generation that should have orphaned the cached pages may never have reached Redis,
and Redis may come back holding pages from before. :attr:`reconnected_at` tells the page
cache when this process last found Redis again; caching.py refuses a generation started before
it, so no page cached before the outage is served after it.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long an unreachable Redis is left alone before the next try, in seconds.
RETRY_AFTER = 5.0
# While Redis stays away, a reminder in the log at most this often, in seconds.
REMIND_EVERY = 60.0


class _Health:
    """What one process knows about one Redis server."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None  # time.monotonic()
        self.next_try = 0.0
        self.last_logged = 0.0
        self.failures = 0
        self.reconnected_at: float | None = None  # time.time(), as timezone.now()


# Per server, for every thread's backend instance (Django makes one per thread).
_health: dict[tuple[str, ...], _Health] = {}
_health_lock = threading.Lock()


def _redacted(server: str) -> str:
    """The server's address without a password, for the log."""
    parts = urlsplit(server)
    if parts.password is None:
        return server
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=host).geturl()


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache``; while Redis cannot be reached, an empty cache that keeps
    nothing. ``OPTIONS`` may hold ``RETRY_AFTER`` (seconds); the rest goes to redis-py."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        with _health_lock:
            self._health = _health.setdefault(tuple(self._servers), _Health())
        self._where = ", ".join(_redacted(server) for server in self._servers)

    @property
    def reconnected_at(self) -> float | None:
        """When this process last found Redis again after it was unreachable (POSIX time)."""
        return self._health.reconnected_at

    def _attempt(self, operation, fallback, *args, **kwargs):
        """``operation(*args, **kwargs)``, or ``fallback`` while Redis cannot be reached."""
        health = self._health
        if health.down_since is not None and time.monotonic() < health.next_try:
            return fallback
        try:
            result = operation(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return fallback
        if health.down_since is not None:
            self._recovered()
        return result

    def _failed(self, error: RedisError) -> None:
        health, now = self._health, time.monotonic()
        with health.lock:
            health.next_try = now + self.retry_after
            health.failures += 1
            if health.down_since is None:
                health.down_since = health.last_logged = now
                logger.warning(
                    "The cache (Redis at %s) cannot be reached (%s). The site works without "
                    "it, uncached, and tries again every %g s.",
                    self._where,
                    error,
                    self.retry_after,
                )
            elif now - health.last_logged >= REMIND_EVERY:
                health.last_logged = now
                logger.warning(
                    "The cache (Redis at %s) has been unreachable for %d s, %d failed "
                    "attempts (%s).",
                    self._where,
                    now - health.down_since,
                    health.failures,
                    error,
                )

    def _recovered(self) -> None:
        health = self._health
        with health.lock:
            if health.down_since is None:
                return  # another thread was first
            # Before the state says "up": a thread that finds Redis up sees this time too.
            health.reconnected_at = time.time()
            seconds = time.monotonic() - health.down_since
            health.down_since, health.failures = None, 0
        logger.warning(
            "The cache (Redis at %s) can be reached again, after %d s; what it held from "
            "before is not used.",
            self._where,
            seconds,
        )

    # The operations of Django's cache API, each with what it answers while Redis is away.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._attempt(super().incr, None, key, delta, version)
        if result is None:
            # As for a key that is not there, which is what an empty cache holds.
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(super().delete_many, None, keys, version)

    def clear(self):
        return self._attempt(super().clear, False)
