"""The per-extension circuit breaker (opening, skipping, half-open trial, closing) and
targets the platform refuses to call, over real HTTP."""

from __future__ import annotations

import time

from extensions import breaker

from .api_server import Answer, claims_answer
from .oauth import client_credentials, verified
from .test_token_issuance import _daemon, _log


def _tier(env, app, secret):
    response = client_credentials(env, app, secret)
    assert response.status_code == 200, response.text
    return verified(env, response.json()["access_token"]).get("partnerTier")


def test_breaker_opens_after_consecutive_failures_and_closes_after_a_good_trial(live, settings):
    # given
    settings.CIAM_EXTENSION_BREAKER_FAILURES = 2
    settings.CIAM_EXTENSION_BREAKER_COOLDOWN_SECONDS = 0.5
    app, secret = _daemon(live, on_failure="continue")
    ext_id = _extension_id(live)
    schema = live.tenant.schema
    live.api.answer = Answer(status=502, body={})

    # when: two failures open it; the third request skips the API
    assert _tier(live, app, secret) is None
    assert _tier(live, app, secret) is None
    assert breaker.state(schema, ext_id) == "open"
    assert _tier(live, app, secret) is None

    # then
    assert len(live.api.received) == 2
    log = _log(live, 3)
    assert [e["outcome"] for e in log] == ["skipped", "failure", "failure"]
    assert "circuit breaker opened" in log[1]["error"]

    # when: after the cool-down, a failed trial opens it again
    time.sleep(0.6)
    assert breaker.state(schema, ext_id) == "half-open"
    assert _tier(live, app, secret) is None
    assert breaker.state(schema, ext_id) == "open"
    assert len(live.api.received) == 3

    # when: after the next cool-down, a good trial closes it
    time.sleep(0.6)
    live.api.answer = claims_answer({"partnerTier": "gold"})
    assert _tier(live, app, secret) == "gold"
    assert breaker.state(schema, ext_id) == "closed"
    assert _tier(live, app, secret) == "gold"
    assert len(live.api.received) == 5


def _extension_id(env) -> str:
    from extensions.models import CustomAuthenticationExtension

    with env.tenant.context():
        return str(CustomAuthenticationExtension.objects.get().pk)


def test_a_target_that_became_private_is_refused_at_call_time(live, settings):
    # given: registered while private targets were allowed (development)
    app, secret = _daemon(live, on_failure="fail")
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False

    # when
    response = client_credentials(live, app, secret)

    # then
    assert response.status_code == 400
    assert response.json()["error"] == "access_denied"
    assert live.api.received == []
    [entry] = _log(live)
    assert entry["error"] == "Target refused: Only https URLs are allowed."


def test_an_unreachable_api_is_a_failure(live):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    app, secret = _daemon(
        live, on_failure="continue", max_retries=1, target_url=f"http://127.0.0.1:{port}/x"
    )

    assert _tier(live, app, secret) is None
    [entry] = _log(live)
    assert entry["error"] == "The API could not be reached."
