"""Finding 4: server-side request forgery through federated sign-in. Every call to an
identity provider goes through ciam.outbound (https, public addresses, the checked
address pinned, no redirects, size cap), at sign-in time as well as when saved."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ciam import outbound
from tests.userflows.conftest import default_flow, federated_flow, oidc_provider  # noqa: F401
from tests.userflows.test_federation import federate

pytestmark = pytest.mark.django_db


class Internal:
    """A service of the platform's own network: counts who reaches it. Its /redirect
    answers 302 to /secret on itself, and /big answers 1 MB."""

    def __init__(self):
        self.hits: list[str] = []
        internal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                internal.hits.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"{internal.base}/secret")
                    self.end_headers()
                    return
                big = b'{"a": "' + b"x" * (1024 * 1024) + b'"}'
                body = big if self.path == "/big" else b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal():
    server = Internal()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "address",
    [
        "::7f00:1",  # IPv4-compatible ::127.0.0.1
        "::a00:1",  # ::10.0.0.1
        "::ffff:a9fe:a9fe",  # IPv4-mapped 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    ],
)
def test_ipv6_forms_that_embed_private_ipv4_are_refused(settings, address):
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(outbound.OutboundError) as excinfo:
        outbound.get_json(f"https://[{address}]/keys")
    assert "not a public internet address" in str(excinfo.value)


def test_the_checked_address_is_the_one_connected_to(settings, monkeypatch):
    """DNS rebinding: the name answers a public address to the check and a loopback
    address afterwards; the connection must use the first answer, resolving once."""
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        asked.append(host)
        if host == "rebind.example":
            address = "127.0.0.1" if asked.count(host) > 1 else "1.1.1.1"
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(outbound.OutboundError):
        outbound.get_json("https://rebind.example/keys", timeout=1)
    assert asked.count("rebind.example") == 1
    assert "127.0.0.1" not in asked


def test_discovery_endpoints_are_each_checked_when_saved(settings, oidc_provider):  # noqa: F811
    from userflows.federation import discover_oidc

    oidc_provider.discovery_overrides = {"userinfo_endpoint": "ftp://127.0.0.1/userinfo"}
    with pytest.raises(ValidationError) as excinfo:
        discover_oidc(oidc_provider.issuer)
    assert "userinfo_endpoint" in str(excinfo.value)


def _signin_through_hostile_provider(tenant, oidc_provider, internal, endpoint):  # noqa: F811
    oidc_provider.discovery_overrides = {"userinfo_endpoint": endpoint}
    client = Client()
    response = federate(client, tenant)
    return client, response


def test_a_provider_redirect_at_signin_is_not_followed(
    tenant,
    federated_flow,  # noqa: F811
    oidc_provider,  # noqa: F811
    internal,
):
    # given a provider saved while harmless, whose discovery now sends userinfo through
    # a redirect into the internal network
    client, response = _signin_through_hostile_provider(
        tenant, oidc_provider, internal, f"{internal.base}/redirect"
    )
    # then the redirect is not followed and nobody is signed in
    assert internal.hits == ["/redirect"]
    assert "_auth_user_id" not in client.session
    assert response.status_code == 401  # allauth's third-party sign-in failure page


def test_an_oversized_provider_answer_at_signin_is_refused(
    tenant,
    federated_flow,  # noqa: F811
    oidc_provider,  # noqa: F811
    internal,
):
    client, response = _signin_through_hostile_provider(
        tenant, oidc_provider, internal, f"{internal.base}/big"
    )
    assert internal.hits == ["/big"]
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session


def test_a_private_endpoint_at_signin_is_refused(
    settings,
    tenant,
    federated_flow,  # noqa: F811
    oidc_provider,  # noqa: F811
    internal,
):
    # the suite allows loopback peers; a deployment does not: with the rule on, the
    # sign-in's first call (discovery, on loopback here) is refused before connecting
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    oidc_provider.discovery_overrides = {"token_endpoint": f"{internal.base}/secret"}
    client = Client()
    r = client.post(tenant.url("/account/oidc/partner/login/"), {"process": "login"})
    assert r.status_code == 401
    assert internal.hits == []
