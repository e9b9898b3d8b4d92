"""Token endpoint: client credentials, refresh rotation and reuse, client authentication."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from jwcrypto import jwt

from applications.models import AccessToken
from applications.tokens import load_access_token


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def daemon(tenant, make_app):
    from applications import services

    app, secret = make_app("daemon")
    with tenant.context():
        services.grant_api_permission(app, value="User.Read.All", actor="tests")
        services.grant_api_permission(app, value="Group.ReadWrite.All", actor="tests")
    return app, secret


def client_credentials(tenant, app, secret, **data):
    return Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=basic(app.client_id, secret),
    )


def test_client_credentials_token_carries_the_granted_permissions(tenant, daemon):
    # given
    app, secret = daemon

    # when
    response = client_credentials(tenant, app, secret)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and "refresh_token" not in body
    assert body["scope"] == "Group.ReadWrite.All User.Read.All"
    claims = json.loads(jwt.JWT(jwt=body["access_token"]).token.objects["payload"])
    assert claims["roles"] == ["Group.ReadWrite.All", "User.Read.All"]
    assert claims["sub"] == app.client_id and claims["idtyp"] == "app"
    assert claims["tid"] == str(tenant.tenant.pk)
    with tenant.context():
        # an app-only token is self-contained: no row, yet resource endpoints know it
        assert not AccessToken.objects.filter(application=app).exists()
        token = load_access_token(body["access_token"])
        assert token.scope.split() == ["Group.ReadWrite.All", "User.Read.All"]
        assert token.user is None and token.application.client_id == app.client_id
        assert token.is_valid(["User.Read.All"])


def test_client_credentials_may_narrow_the_scope(tenant, daemon):
    app, secret = daemon
    response = client_credentials(tenant, app, secret, scope="User.Read.All")
    assert response.json()["scope"] == "User.Read.All"


def test_client_credentials_refuses_a_permission_not_granted(tenant, daemon):
    app, secret = daemon
    response = client_credentials(tenant, app, secret, scope="User.ReadWrite.All")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_client_credentials_with_secret_in_the_body(tenant, daemon):
    app, secret = daemon
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret},
    )
    assert response.status_code == 200


def test_wrong_secret_is_401_invalid_client_with_www_authenticate(tenant, daemon):
    # given
    app, _secret = daemon

    # when
    response = client_credentials(tenant, app, "not-the-secret")

    # then
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"] == (
        'Basic realm="http://testserver/t/testco", error="invalid_client"'
    )


def test_revoked_and_expired_secrets_stop_working(tenant, daemon):
    from applications import services
    from applications.models import ClientSecret

    app, secret = daemon
    with tenant.context():
        second, second_value = services.add_client_secret(app, description="2", actor="tests")
        services.revoke_client_secret(
            ClientSecret.objects.exclude(pk=second.pk).get(application=app), actor="tests"
        )
    assert client_credentials(tenant, app, secret).status_code == 401
    assert client_credentials(tenant, app, second_value).status_code == 200
    with tenant.context():
        second.expires_at = timezone.now()
        second.save()
    assert client_credentials(tenant, app, second_value).status_code == 401


def test_secrets_are_stored_as_keyed_hashes(tenant, daemon):
    from applications.models import Application, ClientSecret
    from ciam.crypto import keyed_hash

    app, secret = daemon
    with tenant.context():
        row = ClientSecret.objects.get(application=app)
        assert row.secret_hash == keyed_hash(secret)
        assert Application.objects.get(pk=app.pk).client_secret == ""
    assert len(base64.urlsafe_b64decode(secret + "==")) * 8 >= 256


def test_public_client_cannot_use_client_credentials(tenant, make_app):
    app, _ = make_app("spa")
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials", "client_id": app.client_id},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_daemon_cannot_use_the_authorization_code_grant(tenant, daemon):
    app, secret = daemon
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://a.example/"},
        HTTP_AUTHORIZATION=basic(app.client_id, secret),
    )
    assert response.status_code in {400, 401}
    assert response.json()["error"] == "unauthorized_client"


def test_unsupported_grant_type(tenant, daemon):
    app, secret = daemon
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "password", "username": "a", "password": "b"},
        HTTP_AUTHORIZATION=basic(app.client_id, secret),
    )
    assert response.status_code in {400, 401}
    assert response.json()["error"] in {"unsupported_grant_type", "unauthorized_client"}


def test_refresh_rotates_the_refresh_token(flow):
    # given
    first = flow.tokens()

    # when
    response = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    # then
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert "id_token" in second


def test_reused_refresh_token_revokes_the_whole_family(tenant, flow, client):
    # given
    first = flow.tokens()
    second = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    ).json()

    # when: the rotated (old) refresh token is replayed
    replay = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    # then
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    newest = flow.token({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert newest.json()["error"] == "invalid_grant"
    userinfo = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {second['access_token']}"
    )
    assert userinfo.status_code == 401


def test_refresh_token_past_the_app_lifetime_is_refused(tenant, flow):
    from applications.models import RefreshToken

    first = flow.tokens()
    with tenant.context():
        RefreshToken.objects.update(created=timezone.now() - timedelta(days=30))
    response = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert response.json()["error"] == "invalid_grant"


def test_refresh_token_of_another_client_is_refused(tenant, flow, make_app):
    first = flow.tokens()
    other, other_secret = make_app("web")
    response = flow.token(
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(other.client_id, other_secret),
    )
    assert response.json()["error"] == "invalid_grant"


def test_access_token_lifetime_is_per_app(tenant, signed_in, make_app):
    from .conftest import Flow

    app, secret = make_app("web", access_token_lifetime=600)
    tokens = Flow(tenant, signed_in, app, secret).tokens()
    assert tokens["expires_in"] == 600


def test_token_endpoint_errors_are_not_cached(tenant, daemon):
    app, _ = daemon
    response = client_credentials(tenant, app, "bad")
    assert response["Cache-Control"] == "no-store"


def test_tokens_are_stored_as_checksums_only(tenant, flow):
    import hashlib

    from applications.models import RefreshToken

    tokens = flow.tokens()
    with tenant.context():
        access = AccessToken.objects.get(
            token_checksum=hashlib.sha256(tokens["access_token"].encode()).hexdigest()
        )
        refresh = RefreshToken.objects.get(
            token_checksum=hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()
        )
    assert access.token == "" and refresh.token == ""


def test_a_repeated_client_credentials_grant_needs_no_database(
    tenant, daemon, django_assert_num_queries
):
    """Routes, the app snapshot and the signing key come from the process caches (valid
    for the current configuration generation) and app-only tokens have no row."""
    app, secret = daemon
    # warm the caches (the first grant may create the tenant's signing key, a change of
    # configuration that the second one reloads)
    client_credentials(tenant, app, secret)
    client_credentials(tenant, app, secret)
    with django_assert_num_queries(0):
        assert client_credentials(tenant, app, secret).status_code == 200
