"""Discovery and JWKS: per tenant, at every base URL, issuer = the base fetched from."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration"])
def test_discovery_on_shared_host_names_the_path_base_as_issuer(tenant, client, path):
    # when
    config = client.get(tenant.url(path)).json()

    # then
    base = "http://testserver/t/testco"
    assert config["issuer"] == base
    for key in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "device_authorization_endpoint",
    ):
        assert config[key].startswith(base + "/"), key
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["response_modes_supported"] == ["query", "form_post"]
    assert set(config["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
    }


def test_discovery_on_subdomain_uses_the_subdomain_as_issuer(tenant):
    # given
    client = Client(HTTP_HOST="testco.localhost")

    # when
    config = client.get("/.well-known/openid-configuration").json()

    # then
    assert config["issuer"] == "http://testco.localhost"
    assert config["token_endpoint"] == "http://testco.localhost/oauth2/v2.0/token"


def test_every_endpoint_in_discovery_answers(tenant, client):
    config = client.get(tenant.url("/.well-known/openid-configuration")).json()
    prefix = "http://testserver"
    for key in ("authorization_endpoint", "jwks_uri", "end_session_endpoint"):
        response = client.get(config[key][len(prefix) :])
        assert response.status_code != 404, key
    for key in ("token_endpoint", "introspection_endpoint", "revocation_endpoint"):
        response = client.post(config[key][len(prefix) :], {})
        assert response.status_code in {400, 401}, (key, response.status_code)
    assert client.get(config["userinfo_endpoint"][len(prefix) :]).status_code == 401


def test_unadvertised_oauth_paths_do_not_exist(tenant, client):
    assert client.get(tenant.url("/o/authorize/")).status_code == 404
    assert client.post(tenant.url("/oauth2/v2.0/bc-authorize"), {}).status_code == 404


def test_jwks_publishes_public_rsa_and_ec_keys_only(tenant, client):
    # when
    jwks = client.get(tenant.url("/discovery/v2.0/keys")).json()

    # then
    algorithms = {key["alg"] for key in jwks["keys"]}
    assert algorithms == {"RS256", "ES256"}
    for key in jwks["keys"]:
        assert key["use"] == "sig" and key["kid"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_each_tenant_has_its_own_keys(tenant, other_tenant, client):
    ours = {k["kid"] for k in client.get(tenant.url("/discovery/v2.0/keys")).json()["keys"]}
    theirs = {k["kid"] for k in client.get(other_tenant.url("/discovery/v2.0/keys")).json()["keys"]}
    assert ours and theirs and not ours & theirs


def test_private_keys_are_encrypted_at_rest(tenant):
    from applications.models import SigningKey
    from ciam import crypto

    with tenant.context():
        key = SigningKey.objects.filter(algorithm="ES256").first()
        assert "PRIVATE KEY" not in key.private_key_encrypted
        assert crypto.decrypt(key.private_key_encrypted).startswith("-----BEGIN PRIVATE KEY")
