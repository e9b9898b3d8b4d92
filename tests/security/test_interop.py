"""Finding 9 (the parts done): RFC 9068 `scope` beside `scp`, and an unknown resource in
`<resource>/.default` refused with invalid_scope."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from jwcrypto import jwt

from tests.applications.conftest import (  # noqa: F401
    customer,
    flow,
    make_app,
    signed_in,
)

pytestmark = pytest.mark.django_db


def test_access_tokens_carry_rfc9068_scope_beside_scp(flow):  # noqa: F811
    tokens = flow.tokens()
    claims = json.loads(jwt.JWT(jwt=tokens["access_token"]).token.objects["payload"])
    assert claims["scope"] == claims["scp"]


def test_default_scope_of_an_unknown_resource_is_invalid_scope(tenant, make_app):  # noqa: F811
    daemon, secret = make_app("daemon")
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {
            "grant_type": "client_credentials",
            "scope": "api://no-such-api/.default",
            "client_id": daemon.client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_userinfo_without_a_token_names_no_error(tenant):
    response = Client().get(tenant.url("/oidc/userinfo"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="userinfo"'
    assert "error" not in response["WWW-Authenticate"]


def test_userinfo_errors_are_json_and_spa_origins_get_cors(tenant, make_app):  # noqa: F811
    make_app("spa", redirect_uris=["http://localhost:3000/cb"])
    origin = {"HTTP_ORIGIN": "http://localhost:3000"}
    bad = Client().get(tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION="Bearer nope", **origin)
    assert bad.status_code == 401
    assert "invalid_token" in bad["WWW-Authenticate"]
    assert bad["Content-Type"] == "application/json"
    assert bad.json()["error"] == "invalid_token"
    assert bad["Access-Control-Allow-Origin"] == "http://localhost:3000"
    preflight = Client().options(tenant.url("/oidc/userinfo"), **origin)
    assert preflight["Access-Control-Allow-Origin"] == "http://localhost:3000"
    stranger = Client().get(tenant.url("/oidc/userinfo"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in stranger


def test_token_endpoint_cors_for_a_local_spa(tenant, make_app):  # noqa: F811
    spa, _ = make_app("spa", redirect_uris=["http://localhost:3000/cb"])
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "authorization_code", "code": "x", "client_id": spa.client_id},
        HTTP_ORIGIN="http://localhost:3000",
    )
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
