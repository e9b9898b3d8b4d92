"""The refresh grant (applications.refresh): rotation, scope narrowing, refusals that
leave the token usable, public clients, CORS, and its statement count."""

from __future__ import annotations

import base64
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jwcrypto import jwt

from .conftest import Flow


def _claims(token: str) -> dict:
    return json.loads(jwt.JWT(jwt=token).token.objects["payload"])


def _refresh(flow, refresh_token: str, **data):
    return flow.token({"grant_type": "refresh_token", "refresh_token": refresh_token, **data})


def test_refresh_runs_two_statements_in_one_transaction(tenant, flow):
    # given: a refreshed token (the process has the app's snapshot)
    first = _refresh(flow, flow.tokens()["refresh_token"]).json()

    # when
    with CaptureQueriesContext(connection) as queries:
        response = _refresh(flow, first["refresh_token"])

    # then: consume (UPDATE ... RETURNING) and issue (INSERT ... INSERT)
    assert response.status_code == 200, response.content
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]
    # (plus the email_verified claim's lookup, which the app's token claims ask for)
    token_statements = [s for s in statements if "applications_" in s]
    assert len(token_statements) == 2, statements
    assert len(statements) == 3, statements


def test_refreshed_tokens_carry_user_claims_and_the_old_access_token_dies(tenant, flow, client):
    first = flow.tokens()
    second = _refresh(flow, first["refresh_token"]).json()

    access, id_token = _claims(second["access_token"]), _claims(second["id_token"])
    assert access["sub"] == _claims(first["access_token"])["sub"]
    assert id_token["aud"] == flow.app.client_id and id_token["at_hash"]
    assert second["scope"] == first["scope"]
    old = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {first['access_token']}"
    )
    assert old.status_code == 401
    new = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {second['access_token']}"
    )
    assert new.status_code == 200


def test_refresh_may_narrow_the_scope_but_not_widen_it(flow):
    first = flow.tokens()

    wider = _refresh(flow, first["refresh_token"], scope=f"{first['scope']} address")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"

    # the refused request consumed nothing: the token still works
    narrower = _refresh(flow, first["refresh_token"], scope="openid")
    assert narrower.status_code == 200, narrower.content
    assert narrower.json()["scope"] == "openid"


def test_another_clients_attempt_does_not_consume_the_token(flow, make_app):
    first = flow.tokens()
    other, other_secret = make_app("web")

    stolen = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(other.client_id, other_secret),
    )
    assert stolen.json()["error"] == "invalid_grant"

    assert _refresh(flow, first["refresh_token"]).status_code == 200


def test_wrong_secret_is_invalid_client_and_consumes_nothing(flow):
    first = flow.tokens()
    response = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(flow.app.client_id, "wrong"),
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert _refresh(flow, first["refresh_token"]).status_code == 200


def test_refresh_after_its_access_token_was_revoked_is_refused(tenant, flow):
    first = flow.tokens()
    raw = base64.b64encode(f"{flow.app.client_id}:{flow.secret}".encode()).decode()
    revoked = Client().post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": first["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=f"Basic {raw}",
    )
    assert revoked.status_code == 200
    assert _refresh(flow, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_public_client_refreshes_with_its_client_id_and_gets_cors(tenant, signed_in, make_app):
    app, _ = make_app("spa", redirect_uris=["https://spa.example/cb"])
    flow = Flow(tenant, signed_in, app, redirect_uri="https://spa.example/cb")
    first = flow.tokens()

    response = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        HTTP_ORIGIN="https://spa.example",
    )

    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "https://spa.example"
    assert response["Cache-Control"] == "no-store"


def test_daemon_may_not_refresh(tenant, make_app, flow):
    first = flow.tokens()
    daemon, secret = make_app("daemon")
    response = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(daemon.client_id, secret),
    )
    assert response.json()["error"] == "unauthorized_client"


def test_id_token_of_a_refresh_is_a_valid_logout_hint(tenant, signed_in, make_app):
    app, secret = make_app("web", post_logout_redirect_uris=["https://app.example/bye"])
    flow = Flow(tenant, signed_in, app, secret)
    refreshed = _refresh(flow, flow.tokens()["refresh_token"]).json()

    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {
            "id_token_hint": refreshed["id_token"],
            "post_logout_redirect_uri": "https://app.example/bye",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "https://app.example/bye"
