"""Configuration generations: exact invalidation of per-process caches.

The hot machine paths (tenant routing, the token endpoint) keep what they read from the
database in process memory, tagged with a *generation*: a counter in Redis, one for the
platform (tenants and their domains) and one per tenant schema (its app registrations,
secrets, permission grants and keys). Any write to those rows bumps the counter, both at
once and again after the transaction commits: a reader that reloaded between the two
bumps tagged its entry with the first value and drops it at the second.

Counters are plain integers that only go up; a cached entry is valid while the counter
equals the value it was loaded under (a missing counter reads as 0, so clearing Redis also
invalidates everything).

A process reads a counter from Redis at most every CIAM_GENERATION_RECHECK_SECONDS
(default 0.5 s); a bump made by the process itself takes effect there at once. So a
change made on one machine reaches the caches of every other web worker within that
interval, and the busiest paths pay no Redis round trip per request.

When Redis does not answer, a process keeps the generations it last read for at most
CIAM_REDIS_OUTAGE_GRACE_SECONDS (default 30 s) after its last successful read, so that
discovery, JWKS and client-credentials issuance go on from the process caches during a
short outage or a Sentinel failover. Past that it refuses (RedisUnavailable): a secret
revoked during the outage could otherwise be honoured for as long as the outage lasts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

PLATFORM = "platform"


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _key(scope: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"gen:{prefix}:{scope}"


# scope -> (monotonic time until which it need not be re-read, generation)
_known: dict[str, tuple[float, int]] = {}
# monotonic time of the last successful read of Redis by this process
_last_read_ok = 0.0


class RedisUnavailable(Exception):
    """Redis has not answered for longer than the outage grace: cached configuration may
    be stale, so callers refuse rather than answer from it."""


def _grace_seconds() -> float:
    return float(getattr(settings, "CIAM_REDIS_OUTAGE_GRACE_SECONDS", 30))


def _redis_errors() -> tuple[type[BaseException], ...]:
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, ConnectionInterrupted, OSError)


def _recheck_seconds() -> float:
    return float(settings.CIAM_GENERATION_RECHECK_SECONDS)


def read(*scopes: str) -> dict[str, int]:
    """Generations of `scopes`: those not read lately are fetched (one round trip)."""
    now = time.monotonic()
    result: dict[str, int] = {}
    stale = []
    for scope in scopes:
        known = _known.get(scope)
        if known is not None and known[0] > now:
            result[scope] = known[1]
        else:
            stale.append(scope)
    if stale:
        global _last_read_ok
        try:
            values = _redis().mget([_key(s) for s in stale])
        except _redis_errors() as exc:
            return _during_outage(stale, result, now, exc)
        _last_read_ok = now
        until = now + _recheck_seconds()
        if len(_known) > 100000:
            _known.clear()
        for scope, value in zip(stale, values, strict=True):
            result[scope] = int(value or 0)
            _known[scope] = (until, result[scope])
    return result


def _during_outage(
    stale: list[str], result: dict[str, int], now: float, exc: BaseException
) -> dict[str, int]:
    """Redis failed: answer from the last values read, within the grace, else refuse."""
    if now - _last_read_ok > _grace_seconds() or any(s not in _known for s in stale):
        raise RedisUnavailable(str(exc)) from exc
    for scope in stale:
        result[scope] = _known[scope][1]
    return result


def current(scope: str) -> int:
    return read(scope)[scope]


def bump(scope: str) -> None:
    """Invalidate every process's entries of `scope`: now, and again after commit."""
    client = _redis()
    key = _key(scope)

    def incr() -> None:
        _known.pop(scope, None)  # this process sees its own change at once
        client.incr(key)

    incr()
    transaction.on_commit(incr)


def forget() -> None:
    """Re-read every generation on next use (tests clear Redis behind the counters)."""
    _known.clear()


class Cache:
    """A process-local map whose entries are valid for one generation of their scope.

    `get(scope, key, load)` returns the cached value while the scope's generation is the
    one it was loaded under, else calls `load()` and caches its result (None included)."""

    _all: list[Cache] = []

    def __init__(self, max_entries: int = 10000) -> None:
        self.max_entries = max_entries
        self._data: dict[tuple[str, Any], tuple[int, Any]] = {}
        Cache._all.append(self)

    def get(self, scope: str, key: Any, load: Callable[[], Any]) -> Any:
        generation = current(scope)
        entry = self._data.get((scope, key))
        if entry is not None and entry[0] == generation:
            return entry[1]
        value = load()
        if len(self._data) >= self.max_entries:
            self._data.clear()
        self._data[(scope, key)] = (generation, value)
        return value

    def peek(self, scope: str, key: Any) -> Any:
        """The cached value, valid or not (None when absent): a hint, never an answer."""
        entry = self._data.get((scope, key))
        return entry[1] if entry is not None else None

    def clear(self) -> None:
        self._data.clear()

    @classmethod
    def clear_all(cls) -> None:
        """Drop every process-local entry (tests roll back rows behind the caches)."""
        for cache in cls._all:
            cache.clear()
