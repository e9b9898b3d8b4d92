"""Entra drop-in authority: the tenant also answers under /<tenant-id>/ and
/<tenant-id>/v2.0/ on each of its bases, with an issuer equal to the URL discovery was
fetched from; MSAL for Python, configured as for Entra External ID except for the host,
gets tokens over https."""

from __future__ import annotations

import base64
import json

import msal
import pytest
import requests
from django.test import Client
from jwcrypto import jwt

from .tls_proxy import TLSFrontProxy


def _claims(token: str) -> dict:
    return json.loads(jwt.JWT(jwt=token).token.objects["payload"])


@pytest.mark.parametrize("suffix", ["", "/v2.0"])
def test_discovery_under_the_tenant_id_names_its_own_url(tenant, suffix):
    tid = str(tenant.tenant.pk)
    base = f"http://testserver/t/{tenant.name}/{tid}{suffix}"

    response = Client().get(f"/t/{tenant.name}/{tid}{suffix}/.well-known/openid-configuration")

    assert response.status_code == 200
    config = response.json()
    assert config["issuer"] == base
    assert config["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    keys = Client().get(config["jwks_uri"].removeprefix("http://testserver"))
    assert keys.status_code == 200 and keys.json()["keys"]


def test_subdomain_serves_the_tenant_id_authority(tenant):
    tid = str(tenant.tenant.pk)
    host = f"{tenant.name}.localhost"

    response = Client().get(f"/{tid}/v2.0/.well-known/openid-configuration", HTTP_HOST=host)

    assert response.status_code == 200
    assert response.json()["issuer"] == f"http://{host}/{tid}/v2.0"


def test_another_tenants_id_is_not_found(tenant, other_tenant):
    other_tid = str(other_tenant.tenant.pk)
    response = Client().get(f"/t/{tenant.name}/{other_tid}/v2.0/.well-known/openid-configuration")
    assert response.status_code == 404


def test_tokens_issued_under_the_authority_name_it_and_are_accepted(tenant, flow, client):
    from applications import tokens

    tid = str(tenant.tenant.pk)
    first = flow.tokens()
    refreshed = flow.api.post(
        f"/t/{tenant.name}/{tid}/v2.0/oauth2/v2.0/token",
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{flow.app.client_id}:{flow.secret}".encode()).decode(),
    )
    assert refreshed.status_code == 200, refreshed.content
    access = _claims(refreshed.json()["access_token"])
    assert access["iss"] == f"http://testserver/t/{tenant.name}/{tid}/v2.0"
    with tenant.context():
        assert tokens.issuer_is_this_tenant(access["iss"])
    userinfo = client.get(
        tenant.url("/oidc/userinfo"),
        HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access_token']}",
    )
    assert userinfo.status_code == 200


def test_user_tokens_carry_the_claims_an_entra_app_reads(tenant, flow):
    tokens = flow.tokens()
    access, id_token = _claims(tokens["access_token"]), _claims(tokens["id_token"])
    tid = str(tenant.tenant.pk)
    for claims in (access, id_token):
        assert claims["tid"] == tid and claims["ver"] == "2.0"
        assert claims["oid"] == claims["sub"]
        assert claims["azp"] == flow.app.client_id
        assert claims["preferred_username"] == "casey@example.com"
        assert claims["name"] == "Casey Customer"
    assert "scp" in access


@pytest.fixture
def msal_tenant(tenants_setup, live_url, settings):
    """testco over https (a local TLS front on its subdomain) with a daemon app."""
    from applications import services

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    tenant = tenants_setup[0]
    host = f"{tenant.name}.localhost"
    proxy = TLSFrontProxy(live_url, [host])
    with tenant.context():
        daemon, secret = services.register_application(
            name="MSAL daemon", app_type="daemon", redirect_uris=[], actor="tests"
        )
        services.update_application(daemon, actor="tests", algorithm="ES256")
        services.grant_api_permission(daemon, value="User.Read.All", actor="tests")
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would replace session.verify
    session.proxies = {"https": proxy.proxy_url}
    session.verify = proxy.ca_file
    yield {
        "host": host,
        "tid": str(tenant.tenant.pk),
        "daemon": (daemon.client_id, secret),
        "http": session,
    }
    session.close()
    proxy.close()
    with tenant.context():
        daemon.delete()


def _token_for_client(app: msal.ConfidentialClientApplication) -> dict:
    return app.acquire_token_for_client(scopes=["urn:ciam:management-api/.default"])


def test_msal_client_credentials_with_an_entra_style_authority(msal_tenant):
    # given: the app's Entra External ID configuration, host changed, instance discovery off
    client_id, secret = msal_tenant["daemon"]
    authority = f"https://{msal_tenant['host']}/{msal_tenant['tid']}"
    app = msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        authority=authority,
        instance_discovery=False,
        http_client=msal_tenant["http"],
    )

    # when
    result = _token_for_client(app)

    # then
    assert "access_token" in result, result
    claims = _claims(result["access_token"])
    assert claims["iss"] == f"{authority}/v2.0"
    assert claims["tid"] == msal_tenant["tid"] and claims["idtyp"] == "app"
    assert claims["roles"] == ["User.Read.All"]


def test_msal_client_credentials_with_oidc_authority(msal_tenant):
    client_id, secret = msal_tenant["daemon"]
    authority = f"https://{msal_tenant['host']}/{msal_tenant['tid']}/v2.0"
    app = msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        oidc_authority=authority,
        http_client=msal_tenant["http"],
    )

    result = _token_for_client(app)

    assert "access_token" in result, result
    assert _claims(result["access_token"])["iss"] == authority


def test_msal_reports_a_wrong_secret(msal_tenant):
    client_id, _ = msal_tenant["daemon"]
    app = msal.ConfidentialClientApplication(
        client_id,
        client_credential="wrong",
        authority=f"https://{msal_tenant['host']}/{msal_tenant['tid']}",
        instance_discovery=False,
        http_client=msal_tenant["http"],
    )
    assert _token_for_client(app)["error"] == "invalid_client"
