"""OpenID Connect Back-Channel and Front-Channel Logout: a real local HTTP server plays
the relying party (down at first, then up); `sid` ties ID tokens to the session."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client
from jwcrypto import jwk, jwt

from .conftest import Flow


class RelyingParty:
    """Answers 503 to the first `down_for` logout POSTs, then 200; keeps the tokens."""

    def __init__(self, down_for: int = 0) -> None:
        self.down_for, self.attempts, self.tokens = down_for, 0, []
        rp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                rp.attempts += 1
                if rp.attempts <= rp.down_for:
                    self.send_response(503)
                else:
                    rp.tokens.append(form["logout_token"][0])
                    self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/logout"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rp():
    server = RelyingParty(down_for=2)
    yield server
    server.close()


def _verified(tenant, token: str) -> dict:
    keys = jwk.JWKSet.from_json(Client().get(tenant.url("/discovery/v2.0/keys")).content)
    parsed = jwt.JWT(jwt=token, key=keys, expected_type="JWS")
    header = json.loads(parsed.token.objects["protected"])
    assert header["typ"] == "logout+jwt"
    return json.loads(parsed.claims)


def test_discovery_advertises_both_channels(tenant):
    config = Client().get(tenant.url("/.well-known/openid-configuration")).json()
    assert config["backchannel_logout_supported"] is True
    assert config["backchannel_logout_session_supported"] is True
    assert config["frontchannel_logout_supported"] is True


def test_logout_token_reaches_the_app_after_it_comes_back_up(
    tenant, signed_in, make_app, customer, rp, settings
):
    # given: an app with a back-channel URI (down for two attempts), signed in
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app, secret = make_app(
        "web",
        post_logout_redirect_uris=["https://app.example/bye"],
        backchannel_logout_uri=rp.url,
    )
    tokens = Flow(tenant, signed_in, app, secret).tokens()
    id_claims = json.loads(jwt.JWT(jwt=tokens["id_token"]).token.objects["payload"])
    assert id_claims["sid"]

    # when: the user signs out at the end-session endpoint
    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://app.example/bye",
        },
    )

    # then: redirected, and after two failed deliveries the third one got through
    assert response.status_code == 302
    assert rp.attempts == 3 and len(rp.tokens) == 1
    claims = _verified(tenant, rp.tokens[0])
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"]
    assert claims["aud"] == app.client_id and claims["iss"] == id_claims["iss"]
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"]
    assert "nonce" not in claims


def test_apps_of_other_sessions_are_not_told(tenant, signed_in, make_app, customer, rp, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rp.down_for = 0
    app, _ = make_app("web", backchannel_logout_uri=rp.url)  # never signed in to
    signed_in.post(tenant.url("/oauth2/v2.0/logout"), {"allow": "Logout"})
    assert rp.attempts == 0


def test_front_channel_iframes_on_the_signed_out_page(tenant, signed_in, make_app, customer):
    app, secret = make_app(
        "web",
        post_logout_redirect_uris=["https://app.example/bye"],
        frontchannel_logout_uri="https://app.example/fc",
    )
    tokens = Flow(tenant, signed_in, app, secret).tokens()
    sid = json.loads(jwt.JWT(jwt=tokens["id_token"]).token.objects["payload"])["sid"]

    response = signed_in.get(
        tenant.url("/oauth2/v2.0/logout"),
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://app.example/bye",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"https://app.example/fc?iss=http%3A%2F%2Ftestserver%2Ft%2F{tenant.name}&amp;sid={sid}"
        in page
    )
    assert 'href="https://app.example/bye"' in page


def test_logout_uris_must_be_https(tenant, make_app):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_app("web", backchannel_logout_uri="http://rp.example/logout")
