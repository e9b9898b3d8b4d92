"""A circuit breaker per extension, in Redis, so that one slow or broken API cannot stall
every sign-in worker (the shape of saleor's webhook breaker board, reduced to consecutive
failures).

closed: calls go through; each failure increments a counter, each success clears it.
open: after CIAM_EXTENSION_BREAKER_FAILURES consecutive failures the breaker opens for
CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS; calls are skipped (and logged as skipped).
half-open: once the cool-down ends, one caller gets a trial call (the others keep
skipping); its success closes the breaker, its failure opens it again."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _key(kind: str, schema: str, extension_id: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"ext-breaker:{prefix}:{schema}:{extension_id}:{kind}"


def threshold() -> int:
    return int(getattr(settings, "CIAM_EXTENSION_BREAKER_FAILURES", 5))


def cooldown_ms() -> int:
    return int(float(getattr(settings, "CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS", 30)) * 1000)


def allow(schema: str, extension_id: str, timeout_ms: int) -> bool:
    """True when a call may be made now (closed, or the one trial call of half-open)."""
    client = _redis()
    opened, failures = client.mget(
        [_key("open", schema, extension_id), _key("failures", schema, extension_id)]
    )
    if opened is not None:
        return False
    if failures is None or int(failures) < threshold():
        return True
    # Half-open: one trial call at a time, for as long as the call may take.
    return bool(
        client.set(_key("trial", schema, extension_id), 1, nx=True, px=timeout_ms * 2 + 1000)
    )


def record_success(schema: str, extension_id: str) -> None:
    _redis().delete(_key("failures", schema, extension_id), _key("trial", schema, extension_id))


def record_failure(schema: str, extension_id: str) -> bool:
    """Count a failure; True when it opened the breaker."""
    client = _redis()
    failures_key = _key("failures", schema, extension_id)
    pipe = client.pipeline()
    pipe.incr(failures_key)
    pipe.pexpire(failures_key, max(cooldown_ms() * 10, 600_000))
    count = int(pipe.execute()[0])
    if count >= threshold():
        client.set(_key("open", schema, extension_id), 1, px=cooldown_ms())
        client.delete(_key("trial", schema, extension_id))
        return True
    return False


def state(schema: str, extension_id: str) -> str:
    """closed, open or half-open (for the admin center)."""
    opened, failures = _redis().mget(
        [_key("open", schema, extension_id), _key("failures", schema, extension_id)]
    )
    if opened is not None:
        return "open"
    if failures is not None and int(failures) >= threshold():
        return "half-open"
    return "closed"


def reset(schema: str, extension_id: str) -> None:
    _redis().delete(*(_key(k, schema, extension_id) for k in ("open", "failures", "trial")))
