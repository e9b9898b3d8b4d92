"""A Redis outage answers 503 (retry) rather than 500; anything else stays a 500.
The outage itself, with real processes and a paused Redis, is tested on the multi-node
test bed (tests/cluster)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from ciam.errors import server_error
from ciam.generations import RedisUnavailable


def _handle(exc: Exception, accept: str = "application/json"):
    from django.contrib.sessions.backends.cache import SessionStore

    request = RequestFactory().get("/t/x/oauth2/v2.0/token", HTTP_ACCEPT=accept)
    request.session = SessionStore()
    try:
        raise exc
    except Exception:
        return server_error(request)


def test_redis_errors_answer_503_with_retry_after():
    for exc in (RedisConnectionError("down"), RedisUnavailable("past the grace")):
        response = _handle(exc)
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert b"temporarily_unavailable" in response.content


def test_pages_get_a_friendly_503_page():
    response = _handle(RedisConnectionError("down"), accept="text/html")
    assert response.status_code == 503
    assert b"try again" in response.content


def test_other_errors_stay_500():
    assert _handle(ValueError("bug")).status_code == 500


def test_connections_fail_fast_once_redis_stops_answering(tmp_path, monkeypatch):
    """One timeout marks Redis down for a moment: the next calls raise at once (a
    ConnectionError naming the fast failure) instead of each waiting out its timeout, and
    calls work again once Redis answers and the window has passed."""
    import os
    import signal
    import socket
    import subprocess
    import time

    import redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from ciam import redisfast

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    monkeypatch.setenv("REDIS_FAST_FAIL_SECONDS", "0.3")
    pool = redis.ConnectionPool(
        port=port,
        socket_timeout=0.3,
        socket_connect_timeout=0.3,
        connection_class=redisfast.FastFailConnection,
    )
    client = redis.Redis(connection_pool=pool)
    try:
        for _ in range(50):
            try:
                client.ping()
                break
            except RedisConnectionError:
                time.sleep(0.1)
        client.set("k", "v")
        # given a Redis that accepts connections and never answers
        os.kill(server.pid, signal.SIGSTOP)
        # then the first call times out, and the next ones fail fast
        with pytest.raises(RedisTimeoutError):
            client.get("k")
        with pytest.raises(RedisConnectionError, match="failing fast"):
            client.get("k")
        # and once Redis answers and the window has passed, calls work again
        os.kill(server.pid, signal.SIGCONT)
        time.sleep(0.4)
        assert client.get("k") == b"v"
    finally:
        os.kill(server.pid, signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)
