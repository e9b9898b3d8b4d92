"""Admin-configured URLs cannot be used to reach the platform's own network (SSRF)."""

import pytest

from ciam import outbound


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/jwks",  # not https
        "https://127.0.0.1/jwks",
        "https://localhost/.well-known/openid-configuration",
        "https://10.1.2.3/keys",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/keys",
        "ftp://example.com/keys",
        "https:///no-host",
    ],
)
def test_private_and_non_https_urls_are_refused(settings, url):
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(outbound.OutboundError):
        outbound.get_json(url)


def test_a_refused_jwks_url_fails_client_authentication_quietly(settings, tenant):
    from applications.credentials import verify_client_assertion
    from applications.models import Application

    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    with tenant.context():
        app = Application(client_id="probe", jwks_uri="https://127.0.0.1:9/keys")
        assert verify_client_assertion(app, "a.b.c", "aud") is False


def test_discovery_of_a_private_issuer_is_refused(settings):
    from django.core.exceptions import ValidationError

    from userflows.federation import discover_oidc

    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as excinfo:
        discover_oidc("https://192.168.1.10/tenant")
    assert "not a public internet address" in str(excinfo.value)


def test_oversized_answers_are_refused(settings, live_url):
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = True
    with pytest.raises(outbound.OutboundError):
        outbound.get_json(live_url + "/t/testco/discovery/v2.0/keys", max_bytes=10)
    assert "keys" in outbound.get_json(live_url + "/t/testco/discovery/v2.0/keys")
