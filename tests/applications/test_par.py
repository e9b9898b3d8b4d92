"""Pushed Authorization Requests (RFC 9126): push, then authorize with request_uri;
per-app "require PAR"; refusals."""

from __future__ import annotations

import base64

from django.test import Client

from .conftest import Flow, pkce_pair, query_of


def _basic(app, secret) -> str:
    return "Basic " + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()


def _push(tenant, app, secret, **params):
    verifier, challenge = pkce_pair()
    body = {
        "response_type": "code",
        "redirect_uri": "https://app.example/cb",
        "scope": "openid profile",
        "state": "s-par",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    response = Client().post(
        tenant.url("/oauth2/v2.0/par"), body, HTTP_AUTHORIZATION=_basic(app, secret)
    )
    return response, verifier


def test_discovery_advertises_par(tenant):
    config = Client().get(tenant.url("/.well-known/openid-configuration")).json()
    assert config["pushed_authorization_request_endpoint"].endswith("/oauth2/v2.0/par")


def test_pushed_request_completes_the_code_flow(tenant, signed_in, make_app, customer):
    # given: an app that requires PAR, its request pushed
    app, secret = make_app(
        "web", skip_authorization=True, require_pushed_authorization_requests=True
    )
    pushed, verifier = _push(tenant, app, secret)
    assert pushed.status_code == 201, pushed.content
    request_uri = pushed.json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    assert pushed.json()["expires_in"] > 0

    # when
    response = signed_in.get(
        tenant.url("/oauth2/v2.0/authorize"),
        {"client_id": app.client_id, "request_uri": request_uri},
    )

    # then: the code comes back to the pushed redirect URI with the pushed state
    assert response.status_code == 302, response.content
    assert response["Location"].startswith("https://app.example/cb?")
    params = query_of(response["Location"])
    assert params["state"] == "s-par"
    flow = Flow(tenant, signed_in, app, secret)
    flow.verifier = verifier
    tokens = flow.exchange(params["code"])
    assert tokens.status_code == 200, tokens.content


def test_app_requiring_par_refuses_a_plain_request(tenant, signed_in, make_app, customer):
    app, secret = make_app("web", require_pushed_authorization_requests=True)
    flow = Flow(tenant, signed_in, app, secret)
    response = flow.authorize()
    assert response.status_code == 400
    assert b"PAR" in response.content


def test_request_uri_of_another_client_or_unknown_is_refused(tenant, signed_in, make_app, customer):
    app, secret = make_app("web")
    other, _ = make_app("web")
    pushed, _ = _push(tenant, app, secret)
    request_uri = pushed.json()["request_uri"]
    for client_id, uri in (
        (other.client_id, request_uri),
        (app.client_id, "urn:ietf:params:oauth:request_uri:nope"),
    ):
        response = signed_in.get(
            tenant.url("/oauth2/v2.0/authorize"), {"client_id": client_id, "request_uri": uri}
        )
        assert response.status_code == 400


def test_push_refuses_bad_requests(tenant, make_app):
    app, secret = make_app("web")
    wrong_secret = Client().post(
        tenant.url("/oauth2/v2.0/par"),
        {"response_type": "code", "redirect_uri": "https://app.example/cb"},
        HTTP_AUTHORIZATION=_basic(app, "wrong"),
    )
    assert wrong_secret.status_code == 401
    assert _push(tenant, app, secret, redirect_uri="https://evil.example/cb")[0].status_code == 400
    assert _push(tenant, app, secret, response_type="token")[0].status_code == 400
    assert _push(tenant, app, secret, request_uri="urn:x")[0].status_code == 400
