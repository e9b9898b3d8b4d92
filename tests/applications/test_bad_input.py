"""Bad input at every endpoint gets a standard error, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client

TOKEN_BODIES = [
    {},
    {"grant_type": ""},
    {"grant_type": "client_credentials"},
    {"grant_type": "authorization_code"},
    {"grant_type": "authorization_code", "code": "x" * 3000, "redirect_uri": "::"},
    {"grant_type": "refresh_token"},
    {"grant_type": "refresh_token", "refresh_token": "\x00"},
    {"grant_type": "client_credentials", "client_id": "\x00", "client_secret": "x"},
    {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": "not.a.jwt",
    },
]
AUTH_HEADERS = [None, "Basic !!!", "Basic " + "eA==", "Bearer x", "Basic OmZvbw=="]


@pytest.mark.parametrize("body", TOKEN_BODIES)
@pytest.mark.parametrize("auth", AUTH_HEADERS)
def test_token_endpoint_answers_bad_input_with_an_oauth_error(tenant, body, auth):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = Client().post(tenant.url("/oauth2/v2.0/token"), body, **extra)
    assert response.status_code in {400, 401}
    assert "error" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"client_id": "x"},
        {"client_id": "\x00", "response_type": "code"},
        {"response_type": "code", "redirect_uri": "https://evil.example/"},
        {"max_age": "abc"},
        {"prompt": "bogus"},
    ],
)
def test_authorize_answers_bad_input_without_server_error(tenant, signed_in, query):
    response = signed_in.get(tenant.url("/oauth2/v2.0/authorize"), query)
    assert response.status_code in {302, 400, 401}
    if response.status_code == 302:
        assert not response["Location"].startswith("https://evil.example")


@pytest.mark.parametrize(
    "params",
    [
        {"id_token_hint": "garbage"},
        {"id_token_hint": "a.b.c", "post_logout_redirect_uri": "https://x.example/"},
        {"client_id": "nope", "post_logout_redirect_uri": "https://x.example/"},
    ],
)
def test_logout_answers_bad_input_without_server_error(tenant, signed_in, params):
    response = signed_in.get(tenant.url("/oauth2/v2.0/logout"), params)
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("auth", AUTH_HEADERS)
def test_introspection_and_revocation_answer_bad_input(tenant, auth):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    for path in ("/oauth2/v2.0/introspect", "/oauth2/v2.0/revoke"):
        response = Client().post(tenant.url(path), {"token": "x"}, **extra)
        assert response.status_code in {400, 401}, (path, auth, response.status_code)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Bearer a b"])
def test_userinfo_answers_bad_authorization_headers(tenant, header):
    response = Client().get(tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=header)
    assert response.status_code in {400, 401}


def test_a_nul_byte_in_the_code_is_invalid_grant(flow):
    response = flow.token(
        {"grant_type": "authorization_code", "code": "ab\x00c", "redirect_uri": flow.redirect_uri}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
