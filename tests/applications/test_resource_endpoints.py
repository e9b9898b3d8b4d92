"""Userinfo, introspection (RFC 7662), revocation (RFC 7009), and tenant isolation."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from applications.models import AccessToken

from .conftest import Flow, create_customer, session_cookie_for


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def basic(app, secret) -> dict:
    raw = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


@pytest.fixture
def other_flow(other_tenant, make_app):
    """A signed-in flow in the other tenant."""
    from applications import services

    with other_tenant.context():
        app, secret = services.register_application(
            name="other", app_type="web", redirect_uris=["https://app.example/cb"], actor="tests"
        )
        user = create_customer("olive@example.com")
        cookie = session_cookie_for(user)
    browser = Client()
    browser.cookies["ciam_session"] = cookie
    return Flow(other_tenant, browser, app, secret)


def test_userinfo_returns_the_claims_of_the_granted_scopes(tenant, flow, client):
    tokens = flow.tokens()
    response = client.get(tenant.url("/oidc/userinfo"), **bearer(tokens["access_token"]))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "casey@example.com" and body["name"] == "Casey Customer"
    assert body["sub"]


def test_userinfo_without_email_scope_leaves_email_out(tenant, flow, client):
    flow_tokens = flow.exchange(flow.code(scope="openid")).json()
    body = client.get(tenant.url("/oidc/userinfo"), **bearer(flow_tokens["access_token"])).json()
    assert "email" not in body and "name" not in body


def test_userinfo_accepts_post(tenant, flow, client):
    tokens = flow.tokens()
    response = client.post(tenant.url("/oidc/userinfo"), **bearer(tokens["access_token"]))
    assert response.status_code == 200


def test_expired_access_token_is_refused(tenant, flow, client):
    tokens = flow.tokens()
    with tenant.context():
        AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = client.get(tenant.url("/oidc/userinfo"), **bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert "invalid_token" in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.eyJ0aWQiOiJ4In0.c2ln",
        "x" * 5000,
    ],
)
def test_malformed_tokens_are_refused_at_userinfo_and_introspection(tenant, flow, client, token):
    assert client.get(tenant.url("/oidc/userinfo"), **bearer(token)).status_code == 401
    response = client.post(
        tenant.url("/oauth2/v2.0/introspect"), {"token": token}, **basic(flow.app, flow.secret)
    )
    assert response.status_code == 200 and response.json() == {"active": False}


def test_token_from_another_tenant_is_refused_everywhere(tenant, flow, other_flow, client):
    # given: a valid token of the other tenant
    theirs = other_flow.tokens()

    # when / then: userinfo
    response = client.get(tenant.url("/oidc/userinfo"), **bearer(theirs["access_token"]))
    assert response.status_code == 401
    # introspection says inactive
    introspect = client.post(
        tenant.url("/oauth2/v2.0/introspect"),
        {"token": theirs["access_token"]},
        **basic(flow.app, flow.secret),
    )
    assert introspect.json() == {"active": False}
    # its refresh token is unknown here
    refresh = flow.token({"grant_type": "refresh_token", "refresh_token": theirs["refresh_token"]})
    assert refresh.json()["error"] == "invalid_grant"
    # and its client cannot authenticate here
    cross = client.post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials"},
        **basic(other_flow.app, other_flow.secret),
    )
    assert cross.status_code == 401
    # while it still works at home
    home = client.get(other_flow.tenant.url("/oidc/userinfo"), **bearer(theirs["access_token"]))
    assert home.status_code == 200


def test_jwt_signed_by_another_tenant_is_refused_even_if_a_row_matched(
    tenant, flow, other_flow, client
):
    # given: the other tenant's token copied into this tenant's table (a forged row)
    import hashlib

    theirs = other_flow.tokens()
    with tenant.context():
        from directory.models import User

        user = User.objects.get(email="casey@example.com")
        AccessToken.objects.create(
            user=user,
            application=flow.app,
            token=theirs["access_token"],
            token_checksum=hashlib.sha256(theirs["access_token"].encode()).hexdigest(),
            expires=timezone.now() + timedelta(hours=1),
            scope="openid email",
        )

    # when
    response = client.get(tenant.url("/oidc/userinfo"), **bearer(theirs["access_token"]))

    # then: its signature is not by this tenant's keys, so it is refused
    assert response.status_code == 401


def test_introspection_of_an_active_access_token(tenant, flow, client):
    tokens = flow.tokens()
    response = client.post(
        tenant.url("/oauth2/v2.0/introspect"),
        {"token": tokens["access_token"]},
        **basic(flow.app, flow.secret),
    )
    body = response.json()
    assert body["active"] is True
    assert body["client_id"] == flow.app.client_id
    assert body["scope"] == "openid profile email offline_access"
    assert body["iss"] == "http://testserver/t/testco" and body["tid"] == str(tenant.tenant.pk)
    assert response["Cache-Control"] == "no-store"


def test_introspection_of_a_refresh_token(tenant, flow, client):
    tokens = flow.tokens()
    body = client.post(
        tenant.url("/oauth2/v2.0/introspect"),
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        **basic(flow.app, flow.secret),
    ).json()
    assert body["active"] is True and body["token_type"] == "refresh_token"


def test_introspection_requires_client_authentication(tenant, flow, client):
    tokens = flow.tokens()
    response = client.post(tenant.url("/oauth2/v2.0/introspect"), {"token": tokens["access_token"]})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response


def test_introspection_hides_tokens_of_other_clients(tenant, flow, client, make_app):
    tokens = flow.tokens()
    other, other_secret = make_app("web")
    body = client.post(
        tenant.url("/oauth2/v2.0/introspect"),
        {"token": tokens["access_token"]},
        **basic(other, other_secret),
    ).json()
    assert body == {"active": False}


def test_introspection_without_token_is_invalid_request(tenant, flow, client):
    response = client.post(
        tenant.url("/oauth2/v2.0/introspect"), {}, **basic(flow.app, flow.secret)
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_revoking_an_access_token(tenant, flow, client):
    tokens = flow.tokens()
    response = client.post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        **basic(flow.app, flow.secret),
    )
    assert response.status_code == 200
    assert (
        client.get(tenant.url("/oidc/userinfo"), **bearer(tokens["access_token"])).status_code
        == 401
    )


def test_revoking_a_refresh_token_stops_refresh(tenant, flow, client):
    tokens = flow.tokens()
    client.post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        **basic(flow.app, flow.secret),
    )
    response = flow.token({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert response.json()["error"] == "invalid_grant"


def test_revocation_with_a_wrong_secret_is_invalid_client(tenant, flow, client):
    tokens = flow.tokens()
    response = client.post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": tokens["access_token"]},
        **basic(flow.app, "wrong"),
    )
    assert response.status_code == 401
    assert (
        client.get(tenant.url("/oidc/userinfo"), **bearer(tokens["access_token"])).status_code
        == 200
    )


def test_drf_oauth2_authentication_reads_the_granted_permissions(tenant, make_app):
    """The management API authenticates daemons with DOT's DRF authentication class."""
    from django.test import RequestFactory
    from oauth2_provider.contrib.rest_framework import OAuth2Authentication
    from rest_framework.request import Request

    from applications import services

    app, secret = make_app("daemon")
    with tenant.context():
        services.grant_api_permission(app, value="User.Read.All", actor="tests")
    token = (
        Client()
        .post(
            tenant.url("/oauth2/v2.0/token"),
            {"grant_type": "client_credentials"},
            **basic(app, secret),
        )
        .json()["access_token"]
    )
    with tenant.context():
        request = Request(RequestFactory().get("/api/users", **bearer(token)))
        user, access_token = OAuth2Authentication().authenticate(request)
        assert access_token.application == app
        assert access_token.scope.split() == ["User.Read.All"]


def _stored_jwt(tenant, flow, issuer: str) -> str:
    """A JWT signed with this tenant's own key and stored as an access token row."""
    import hashlib
    import time

    from applications import tokens
    from directory.models import User

    with tenant.context():
        now = int(time.time())
        token = tokens.sign(
            {"iss": issuer, "tid": str(tenant.tenant.pk), "sub": "x", "iat": now, "exp": now + 600},
            "ES256",
            typ="at+jwt",
        )
        AccessToken.objects.create(
            user=User.objects.get(email="casey@example.com"),
            application=flow.app,
            token=token,
            token_checksum=hashlib.sha256(token.encode()).hexdigest(),
            expires=timezone.now() + timedelta(hours=1),
            scope="openid email",
        )
    return token


def test_a_jwt_with_a_foreign_issuer_is_refused(tenant, flow, client):
    token = _stored_jwt(tenant, flow, "https://evil.example/t/testco")
    assert client.get(tenant.url("/oidc/userinfo"), **bearer(token)).status_code == 401


def test_a_token_issued_on_the_subdomain_works_on_the_path_base(tenant, flow, client):
    token = _stored_jwt(tenant, flow, "http://testco.localhost")
    assert client.get(tenant.url("/oidc/userinfo"), **bearer(token)).status_code == 200
    sub = Client(HTTP_HOST="testco.localhost")
    assert sub.get("/oidc/userinfo", **bearer(token)).status_code == 200
