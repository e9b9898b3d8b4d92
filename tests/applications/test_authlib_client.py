"""A standards-strict relying party (Authlib) against a tenant over real HTTP: discovery,
client credentials, authorization code with PKCE, refresh, userinfo, introspection and
revocation; and the sample web app under examples/, which uses Authlib too."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

from .conftest import create_customer, session_cookie_for

REDIRECT_URI = "http://127.0.0.1:8765/callback"


@pytest.fixture
def live_tenant(tenants_setup, live_url):
    """testco over HTTP with a web app, a daemon app and a signed-in customer (committed
    rows, removed afterwards)."""
    from applications import services
    from directory.models import AuditEvent, User

    tenant = tenants_setup[0]
    with tenant.context():
        web, web_secret = services.register_application(
            name="Authlib web", app_type="web", redirect_uris=[REDIRECT_URI], actor="tests"
        )
        daemon, daemon_secret = services.register_application(
            name="Authlib daemon", app_type="daemon", redirect_uris=[], actor="tests"
        )
        services.grant_api_permission(daemon, value="User.Read.All", actor="tests")
        user = create_customer("authlib@example.com")
        cookie = session_cookie_for(user)
    yield {
        "issuer": f"{live_url}/t/{tenant.name}",
        "web": (web.client_id, web_secret),
        "daemon": (daemon.client_id, daemon_secret),
        "cookie": cookie,
        "tenant": tenant,
    }
    with tenant.context():
        web.delete()
        daemon.delete()
        User.objects.filter(pk=user.pk).delete()
        AuditEvent.objects.filter(actor="tests").delete()


def test_discovery_passes_authlib_provider_metadata_validation(tenant, client):
    """OpenID Provider Metadata as Authlib's strict validator sees it. (Also the test that
    makes pytest-django set up the test database when this module runs alone.)"""
    from authlib.oidc.discovery import OpenIDProviderMetadata

    # when
    metadata = OpenIDProviderMetadata(
        client.get(tenant.url("/.well-known/openid-configuration"), secure=True).json()
    )

    # then
    metadata.validate()
    assert metadata["issuer"] == "https://testserver/t/testco"


def discover(issuer: str) -> dict:
    config = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    # OIDC Discovery §4.3: the issuer MUST be identical to the URL it was fetched from.
    assert config["issuer"] == issuer
    return config


def test_authlib_client_credentials(live_tenant):
    config = discover(live_tenant["issuer"])
    client_id, secret = live_tenant["daemon"]
    session = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_basic")
    token = session.fetch_token(config["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "User.Read.All"
    keys = JsonWebKey.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["access_token"], keys)
    claims.validate()
    assert claims["iss"] == live_tenant["issuer"] and claims["roles"] == ["User.Read.All"]


def test_authlib_authorization_code_pkce_refresh_userinfo_introspect_revoke(live_tenant):
    # discovery
    issuer = live_tenant["issuer"]
    config = discover(issuer)
    client_id, secret = live_tenant["web"]
    session = OAuth2Session(
        client_id,
        secret,
        scope="openid profile email offline_access",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )

    # authorization code with PKCE, through the user's browser session
    verifier = "v" * 64
    nonce = "authlib-nonce"
    url, state = session.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = requests.Session()
    browser.cookies.set(
        "ciam_session", live_tenant["cookie"], path=f"/t/{live_tenant['tenant'].name}/"
    )
    answer = browser.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    token = session.fetch_token(
        config["token_endpoint"],
        authorization_response=answer.headers["Location"],
        code_verifier=verifier,
        state=state,
    )

    # the ID token satisfies a strict validation
    keys = JsonWebKey.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": issuer}},
        claims_params={"nonce": nonce, "client_id": client_id},
    )
    claims.validate()
    assert claims["email"] == "authlib@example.com"

    # userinfo
    info = session.get(config["userinfo_endpoint"], timeout=10).json()
    assert info["sub"] == claims["sub"] and info["email"] == "authlib@example.com"

    # refresh (rotation)
    old_refresh = token["refresh_token"]
    refreshed = session.refresh_token(config["token_endpoint"], refresh_token=old_refresh)
    assert refreshed["refresh_token"] != old_refresh

    # introspection
    active = session.introspect_token(
        config["introspection_endpoint"], token=refreshed["access_token"]
    ).json()
    assert active["active"] is True and active["client_id"] == client_id

    # revocation
    assert (
        session.revoke_token(
            config["revocation_endpoint"], token=refreshed["access_token"]
        ).status_code
        == 200
    )
    inactive = session.introspect_token(
        config["introspection_endpoint"], token=refreshed["access_token"]
    ).json()
    assert inactive == {"active": False}
    gone = requests.get(
        config["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    )
    assert gone.status_code == 401


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webapp" / "app.py"


def load_example():
    spec = importlib.util.spec_from_file_location("ciam_example_webapp", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def call(app, path: str, cookie: str = "") -> tuple[str, dict, str]:
    parts = urlsplit(path)
    environ = {"PATH_INFO": parts.path, "QUERY_STRING": parts.query}
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    setup_testing_defaults(environ)
    captured = {}

    def start_response(status, headers):
        captured["status"], captured["headers"] = status, dict(headers)

    body = b"".join(app.application(environ, start_response)).decode()
    return captured["status"], captured["headers"], body


def test_sample_app_signs_a_customer_in_with_authlib(tenants_setup, live_url):
    from applications import services
    from directory.models import AuditEvent, User

    tenant = tenants_setup[0]
    example = load_example()
    with tenant.context():
        app, secret = services.register_application(
            name="Sample", app_type="web", redirect_uris=[example.REDIRECT_URI], actor="tests"
        )
        user = create_customer("sample@example.com")
        tenant_cookie = session_cookie_for(user)
    try:
        example.ISSUER = f"{live_url}/t/{tenant.name}"
        example.CLIENT_ID, example.CLIENT_SECRET = app.client_id, secret

        # the app sends the browser to the tenant
        status, headers, _ = call(example, "/login")
        assert status.startswith("302")
        app_cookie = headers["Set-Cookie"].split(";")[0]
        authorize_url = headers["Location"]
        assert authorize_url.startswith(f"{example.ISSUER}/oauth2/v2.0/authorize?")

        # the signed-in browser comes back with a code
        browser = requests.Session()
        browser.cookies.set("ciam_session", tenant_cookie, path=f"/t/{tenant.name}/")
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        callback = answer.headers["Location"]
        assert callback.startswith(example.REDIRECT_URI)

        # the app redeems it, validates the ID token, and shows who signed in
        status, _, _ = call(example, callback[len("http://localhost:5000") :], app_cookie)
        assert status.startswith("302")
        status, _, body = call(example, "/", app_cookie)
        assert "Signed in" in body and "sample@example.com" in body
    finally:
        with tenant.context():
            app.delete()
            User.objects.filter(pk=user.pk).delete()
            AuditEvent.objects.filter(actor="tests").delete()
