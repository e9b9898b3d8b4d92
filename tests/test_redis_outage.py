"""A Redis outage answers 503 (retry) rather than 500; anything else stays a 500.
The outage itself, with real processes and a paused Redis, is tested on the multi-node
test bed (tests/cluster)."""

from __future__ import annotations

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
