"""Redis connections that fail fast once Redis has stopped answering.

Every Redis call has a 0.5 s connect/read timeout (ciam/infra.py), but a page makes many
calls (session, CSRF, rate limits, configuration generations, branding): against a Redis
that accepts connections and never answers (a paused or overloaded process), each one
waits out its timeout and the page takes many seconds. After one timeout (a refused
connection is already fast and is not counted), this process treats that Redis server
as down for `REDIS_FAST_FAIL_SECONDS` (default 1 s) and every further call raises at
once, so the request ends in the friendly 503 (ciam/errors.py) within about one timeout.
The next call after the window tries again, so recovery needs no restart."""

from __future__ import annotations

import os
import time
from typing import Any

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.sentinel import SentinelManagedConnection

# server (host and port, or a Sentinel service name) -> monotonic time it is down until
_down_until: dict[tuple[Any, Any], float] = {}


def _window() -> float:
    return float(os.environ.get("REDIS_FAST_FAIL_SECONDS") or 1.0)


class _FastFail:
    def _server(self) -> tuple[Any, Any]:
        pool = getattr(self, "connection_pool", None)
        service = getattr(pool, "service_name", None)
        if service is not None:
            return ("sentinel", service)
        return (getattr(self, "host", None), getattr(self, "port", None))

    def _check(self) -> None:
        if time.monotonic() < _down_until.get(self._server(), 0.0):
            raise RedisConnectionError("Redis did not answer a moment ago (failing fast)")

    def _mark_down(self) -> None:
        _down_until[self._server()] = time.monotonic() + _window()

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        self._check()
        try:
            return super().connect(*args, **kwargs)  # type: ignore[misc]
        except RedisTimeoutError:
            self._mark_down()
            raise

    def send_packed_command(self, *args: Any, **kwargs: Any) -> Any:
        self._check()
        try:
            return super().send_packed_command(*args, **kwargs)  # type: ignore[misc]
        except RedisTimeoutError:
            self._mark_down()
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)  # type: ignore[misc]
        except RedisTimeoutError:
            self._mark_down()
            raise


class FastFailConnection(_FastFail, Connection):
    pass


class FastFailSentinelConnection(_FastFail, SentinelManagedConnection):
    pass
