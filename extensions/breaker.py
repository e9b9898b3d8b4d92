"""A circuit breaker per extension, in Redis, so that one slow or broken API cannot stall
every sign-in worker (the shape of saleor's webhook breaker board, reduced to consecutive
failures).

closed: calls go through; each failure increments a counter, each success clears it.
open: after CIAM_EXTENSION_BREAKER_FAILURES consecutive failures the breaker opens for
CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS; calls are skipped (and logged as skipped).
Each process trusts a "closed, no failures" answer for CIAM_GENERATION_RECHECK_SECONDS, so a
healthy extension costs no Redis round trip per call.
half-open: once the cool-down ends, one caller gets a trial call (the others keep
skipping); its success closes the breaker, its failure opens it again."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

# (schema, extension id) -> monotonic time until which this process trusts "closed, no
# failures" without asking Redis (as configuration generations are re-read): an opening
# elsewhere is seen within CIAM_GENERATION_RECHECK_SECONDS; a local failure at once.
_closed_until: dict[tuple[str, str], float] = {}


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
    local = (schema, extension_id)
    if _closed_until.get(local, 0.0) > time.monotonic():
        return True
    client = _redis()
    opened, failures = client.mget(
        [_key("open", schema, extension_id), _key("failures", schema, extension_id)]
    )
    if opened is not None:
        return False
    if failures is None:
        if len(_closed_until) > 10000:
            _closed_until.clear()
        _closed_until[local] = time.monotonic() + float(
            getattr(settings, "CIAM_GENERATION_RECHECK_SECONDS", 0.5)
        )
        return True
    if int(failures) < threshold():
        return True
    # Half-open: one trial call at a time, for as long as the call may take.
    return bool(
        client.set(_key("trial", schema, extension_id), 1, nx=True, px=timeout_ms * 2 + 1000)
    )


def record_success(schema: str, extension_id: str) -> None:
    if _closed_until.get((schema, extension_id), 0.0) > time.monotonic():
        return  # no failure was counted when this call was allowed: nothing to clear
    _redis().delete(_key("failures", schema, extension_id), _key("trial", schema, extension_id))


def record_failure(schema: str, extension_id: str) -> bool:
    """Count a failure; True when it opened the breaker."""
    _closed_until.pop((schema, extension_id), None)
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
    _closed_until.pop((schema, extension_id), None)
    _redis().delete(*(_key(k, schema, extension_id) for k in ("open", "failures", "trial")))
