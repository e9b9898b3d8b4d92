"""App-only (client-credentials) access tokens are self-contained JWTs without rows:
accepted on their signature, their app and the revocation deny list."""

from __future__ import annotations

import base64
import time

import pytest
from django.test import Client

from applications.models import AccessToken


def basic(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


@pytest.fixture
def daemon(tenant, make_app):
    from applications import services

    app, secret = make_app("daemon")
    with tenant.context():
        services.grant_api_permission(app, value="User.Read.All", actor="tests")
    return app, secret


def issue(tenant, app, secret) -> str:
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials"},
        **basic(app.client_id, secret),
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def call_api(tenant, token: str):
    return Client().get(tenant.url("/api/v1/users/"), HTTP_AUTHORIZATION=f"Bearer {token}")


def introspect(tenant, app, secret, token: str) -> dict:
    response = Client().post(
        tenant.url("/oauth2/v2.0/introspect"), {"token": token}, **basic(app.client_id, secret)
    )
    assert response.status_code == 200
    return response.json()


def revoke(tenant, app, secret, token: str):
    return Client().post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": token, "token_type_hint": "access_token"},
        **basic(app.client_id, secret),
    )


def test_an_app_token_has_no_row_and_works_at_the_api_and_introspection(tenant, daemon):
    # given
    app, secret = daemon

    # when
    token = issue(tenant, app, secret)

    # then
    with tenant.context():
        assert not AccessToken.objects.exists()
    assert call_api(tenant, token).status_code == 200
    info = introspect(tenant, app, secret, token)
    assert info["active"] is True
    assert info["client_id"] == app.client_id and info["scope"] == "User.Read.All"


def test_revoking_an_app_token_denies_it_everywhere(tenant, daemon):
    # given
    app, secret = daemon
    token = issue(tenant, app, secret)
    other = issue(tenant, app, secret)

    # when
    response = revoke(tenant, app, secret, token)

    # then
    assert response.status_code == 200
    assert call_api(tenant, token).status_code == 401
    assert introspect(tenant, app, secret, token) == {"active": False}
    # only that token: another one of the same app still works
    assert call_api(tenant, other).status_code == 200


def test_another_client_cannot_revoke_an_app_token(tenant, daemon, make_app):
    # given
    app, secret = daemon
    token = issue(tenant, app, secret)
    intruder, intruder_secret = make_app("daemon")

    # when: RFC 7009 answers 200 without revoking
    response = revoke(tenant, intruder, intruder_secret, token)

    # then
    assert response.status_code == 200
    assert call_api(tenant, token).status_code == 200


def test_app_tokens_stop_working_when_the_app_is_disabled_or_deleted(tenant, daemon):
    from applications import services

    # given
    app, secret = daemon
    token = issue(tenant, app, secret)
    assert call_api(tenant, token).status_code == 200

    # when: disabled
    with tenant.context():
        services.update_application(app, actor="tests", is_enabled=False)

    # then
    assert call_api(tenant, token).status_code == 401

    # when: enabled again, then deleted
    with tenant.context():
        services.update_application(app, actor="tests", is_enabled=True)
    assert call_api(tenant, token).status_code == 200
    with tenant.context():
        services.delete_application(app, actor="tests")
    assert call_api(tenant, token).status_code == 401


def test_an_expired_app_token_is_refused(tenant, daemon):
    from applications import tokens

    # given: an app token of this tenant that expired a minute ago
    app, secret = daemon
    now = int(time.time())
    with tenant.context():
        expired = tokens.sign(
            {
                "iss": f"http://testserver/t/{tenant.name}",
                "aud": "urn:ciam:management-api",
                "iat": now - 3600,
                "exp": now - 60,
                "jti": "expired-one",
                "azp": app.client_id,
                "sub": app.client_id,
                "tid": str(tenant.tenant.pk),
                "idtyp": "app",
                "roles": ["User.Read.All"],
            },
            "RS256",
            typ="at+jwt",
        )

    # then
    assert call_api(tenant, expired).status_code == 401
    assert introspect(tenant, app, secret, expired) == {"active": False}


def test_an_app_token_of_another_tenant_is_refused(tenant, other_tenant, daemon):
    from applications import services

    # given: a daemon of the other tenant with the same permission
    with other_tenant.context():
        foreign, foreign_secret = services.register_application(
            name="foreign daemon", app_type="daemon", redirect_uris=[], actor="tests"
        )
        services.grant_api_permission(foreign, value="User.Read.All", actor="tests")
    token = issue(other_tenant, foreign, foreign_secret)
    assert call_api(other_tenant, token).status_code == 200

    # then: this tenant's API refuses it
    assert call_api(tenant, token).status_code == 401


def test_a_revoked_grant_narrows_what_an_issued_app_token_may_do(tenant, daemon):
    from applications import services
    from applications.models import ApiPermission

    # given
    app, secret = daemon
    token = issue(tenant, app, secret)

    # when
    with tenant.context():
        services.revoke_api_permission(
            ApiPermission.objects.get(client=app, value="User.Read.All"), actor="tests"
        )

    # then
    assert call_api(tenant, token).status_code == 403


def test_a_removed_custom_domain_stops_being_an_issuer_at_once(tenant):
    from applications import tokens
    from tenants.models import Domain

    # given: a verified custom domain of the tenant
    domain = Domain.objects.create(
        domain="login.issuer-test.example",
        tenant=tenant.tenant,
        is_primary=False,
        kind=Domain.Kind.CUSTOM,
        is_verified=True,
    )
    with tenant.context():
        assert tokens.issuer_is_this_tenant("https://login.issuer-test.example")

    # when
    domain.delete()

    # then: no cached answer survives the change
    with tenant.context():
        assert not tokens.issuer_is_this_tenant("https://login.issuer-test.example")
        assert tokens.issuer_is_this_tenant(f"http://localhost/t/{tenant.name}")
