"""RP-initiated logout, web API scopes and app roles, private_key_jwt."""

from __future__ import annotations

import json
import time
import uuid

from django.test import Client
from jwcrypto import jwk, jwt

from applications import services
from applications.models import ApiPermission

from .conftest import Flow, query_of


def test_logout_redirects_to_a_registered_post_logout_uri(tenant, signed_in, make_app):
    # given
    app, secret = make_app("web", post_logout_redirect_uris=["https://app.example/bye"])
    flow = Flow(tenant, signed_in, app, secret)
    tokens = flow.tokens()

    # when
    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://app.example/bye",
            "state": "s1",
        },
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == "https://app.example/bye?state=s1"
    again = flow.authorize()
    assert "/account/login/" in again["Location"]


def test_logout_refuses_an_unregistered_post_logout_uri(tenant, signed_in, make_app):
    app, secret = make_app("web", post_logout_redirect_uris=["https://app.example/bye"])
    tokens = Flow(tenant, signed_in, app, secret).tokens()
    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.status_code == 400
    assert "Location" not in response


def test_logout_with_a_foreign_id_token_is_refused(tenant, signed_in, make_app):

    app, secret = make_app("web", post_logout_redirect_uris=["https://app.example/bye"])
    Flow(tenant, signed_in, app, secret).tokens()
    forged = jwt.JWT(
        header={"alg": "ES256", "kid": "x"}, claims={"aud": app.client_id, "tid": "other"}
    )
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    forged.make_signed_token(key)
    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {
            "id_token_hint": forged.serialize(),
            "post_logout_redirect_uri": "https://app.example/bye",
        },
    )
    assert response.status_code == 400


def test_logout_without_hint_asks_for_confirmation(tenant, signed_in):
    response = signed_in.get(tenant.url("/oauth2/v2.0/logout"))
    assert response.status_code == 200
    assert b"Sign out" in response.content


def _api_and_client(tenant, make_app):
    api, _ = make_app(
        "api",
        identifier_uri="api://orders",
        exposed_scopes=[{"value": "Orders.Read", "description": "Read your orders"}],
        app_roles=[{"value": "Orders.Read.All", "description": "Read all orders"}],
    )
    return api


def test_user_token_for_a_web_api_scope_has_the_api_as_audience(tenant, signed_in, make_app):
    # given
    _api_and_client(tenant, make_app)
    app, secret = make_app("web")
    flow = Flow(tenant, signed_in, app, secret)

    # when
    tokens = flow.exchange(flow.code(scope="openid api://orders/Orders.Read")).json()

    # then
    claims = json.loads(jwt.JWT(jwt=tokens["access_token"]).token.objects["payload"])
    assert claims["aud"] == "api://orders" and claims["scp"] == "Orders.Read"


def test_daemon_gets_an_app_role_of_a_web_api(tenant, make_app):
    api = _api_and_client(tenant, make_app)
    daemon, secret = make_app("daemon")
    with tenant.context():
        services.grant_api_permission(
            daemon,
            value="Orders.Read.All",
            resource=api,
            kind=ApiPermission.Kind.APPLICATION,
            actor="tests",
        )
    response = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {
            "grant_type": "client_credentials",
            "scope": "api://orders/.default",
            "client_id": daemon.client_id,
            "client_secret": secret,
        },
    )
    body = response.json()
    assert body["scope"] == "api://orders/Orders.Read.All"
    claims = json.loads(jwt.JWT(jwt=body["access_token"]).token.objects["payload"])
    assert claims["aud"] == "api://orders" and claims["roles"] == ["Orders.Read.All"]


def test_a_web_api_can_introspect_tokens_issued_for_it(tenant, make_app):
    api = _api_and_client(tenant, make_app)
    with tenant.context():
        api_secret = services.add_client_secret(api, actor="tests")[1]
        daemon, secret = make_app("daemon")
        services.grant_api_permission(
            daemon, value="Orders.Read.All", resource=api, kind="application", actor="tests"
        )
    token = (
        Client()
        .post(
            tenant.url("/oauth2/v2.0/token"),
            {
                "grant_type": "client_credentials",
                "client_id": daemon.client_id,
                "client_secret": secret,
            },
        )
        .json()["access_token"]
    )
    body = (
        Client()
        .post(
            tenant.url("/oauth2/v2.0/introspect"),
            {"token": token, "client_id": api.client_id, "client_secret": api_secret},
        )
        .json()
    )
    assert body["active"] is True and body["aud"] == "api://orders"


def test_granting_a_permission_the_api_does_not_expose_is_refused(tenant, make_app):
    import pytest
    from django.core.exceptions import ValidationError

    api = _api_and_client(tenant, make_app)
    daemon, _ = make_app("daemon")
    with tenant.context(), pytest.raises(ValidationError):
        services.grant_api_permission(
            daemon, value="Nope.All", resource=api, kind="application", actor="tests"
        )


def _assertion(key: jwk.JWK, client_id: str, audience: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    token = jwt.JWT(header={"alg": "ES256", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def test_private_key_jwt_client_authentication(tenant, make_app):
    # given: a daemon with an uploaded public key
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    public = json.loads(key.export_public())
    public["kid"] = key.thumbprint()
    daemon, _ = make_app("daemon", jwks={"keys": [public]})
    with tenant.context():
        services.grant_api_permission(daemon, value="User.Read.All", actor="tests")
    audience = "http://testserver/t/testco/oauth2/v2.0/token"
    assertion = _assertion(key, daemon.client_id, audience)

    def call(value: str):
        return Client().post(
            tenant.url("/oauth2/v2.0/token"),
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": value,
            },
        )

    # when / then
    assert call(assertion).status_code == 200
    assert call(assertion).status_code == 401  # replayed jti
    other_key = jwk.JWK.generate(kty="EC", crv="P-256")
    assert call(_assertion(other_key, daemon.client_id, audience)).status_code == 401
    assert call(_assertion(key, daemon.client_id, "https://elsewhere/token")).status_code == 401


def test_error_redirects_keep_the_state(flow):
    response = flow.authorize(scope="openid Nope.Scope")
    params = query_of(response["Location"])
    assert params["state"] == "st4te" and params["error"] == "invalid_scope"


def test_admin_consent_for_an_api_scope_skips_the_consent_page(tenant, signed_in, make_app):
    # given: a third-party app whose API scope an admin consented to for the tenant
    api = _api_and_client(tenant, make_app)
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)
    asking = flow.authorize(scope="openid api://orders/Orders.Read")
    assert asking.status_code == 200  # consent page before admin consent
    with tenant.context():
        services.grant_api_permission(
            app, value="Orders.Read", resource=api, kind="delegated", actor="tests"
        )

    # when
    response = flow.authorize(scope="openid api://orders/Orders.Read")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("https://app.example/cb?code=")


def test_prompt_none_without_consent_is_consent_required(tenant, signed_in, make_app):
    app, secret = make_app("web", skip_authorization=False)
    response = Flow(tenant, signed_in, app, secret).authorize(prompt="none")
    assert query_of(response["Location"])["error"] == "consent_required"


def test_private_key_jwt_with_a_jwks_url(tenant, make_app):
    """The app's keys are fetched from its JWKS URL (a real local server)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    key = jwk.JWK.generate(kty="EC", crv="P-256")
    public = json.loads(key.export_public())
    public["kid"] = key.thumbprint()
    body = json.dumps({"keys": [public]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        daemon, _ = make_app(
            "daemon", jwks_uri=f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
        )
        with tenant.context():
            services.grant_api_permission(daemon, value="User.Read.All", actor="tests")
        assertion = _assertion(
            key, daemon.client_id, "http://testserver/t/testco/oauth2/v2.0/token"
        )
        response = Client().post(
            tenant.url("/oauth2/v2.0/token"),
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            },
        )
        assert response.status_code == 200, response.content
        assert response.json()["scope"] == "User.Read.All"
    finally:
        server.shutdown()
        server.server_close()
