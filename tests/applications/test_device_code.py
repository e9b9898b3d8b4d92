"""Device authorization grant (RFC 8628): /oauth2/v2.0/devicecode, the verification page,
polling errors (authorization_pending, slow_down, access_denied, expired_token), the
user-code rate limit, and MSAL for Python end to end over https."""

from __future__ import annotations

import json
import re
import time

import msal
import pytest
import requests
from django.test import Client
from jwcrypto import jwt

from applications import device

from .conftest import session_cookie_for
from .tls_proxy import TLSFrontProxy

GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def native(make_app):
    app, _ = make_app("native", redirect_uris=["http://127.0.0.1/cb"])
    return app


def _start(tenant, app, **data) -> dict:
    response = Client().post(
        tenant.url("/oauth2/v2.0/devicecode"),
        {"client_id": app.client_id, "scope": "openid profile offline_access", **data},
    )
    assert response.status_code == 200, response.content
    return response.json()


def _poll(tenant, app, device_code: str):
    return Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": GRANT, "client_id": app.client_id, "device_code": device_code},
    )


def _rewind_last_poll(tenant, device_code: str) -> None:
    """Pretend the device waited its interval (no sleeping in tests)."""
    from django.core.cache import cache

    with tenant.context():
        key = device._request_key(device._digest(device_code))
        state = cache.get(key)
        state["last_poll"] = 0.0
        cache.set(key, state, 600)


def _decide(tenant, signed_in, user_code: str, action: str):
    page = signed_in.post(tenant.url("/device"), {"user_code": user_code})
    assert page.status_code == 200 and b'value="approve"' in page.content
    return signed_in.post(tenant.url("/device"), {"user_code": user_code, "action": action})


def test_discovery_advertises_the_device_endpoint(tenant):
    config = Client().get(tenant.url("/.well-known/openid-configuration")).json()
    assert config["device_authorization_endpoint"].endswith("/oauth2/v2.0/devicecode")
    assert GRANT in config["grant_types_supported"]


def test_device_flow_pending_slow_down_then_tokens(tenant, signed_in, native, customer):
    # given
    started = _start(tenant, native)
    assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", started["user_code"])
    assert started["verification_uri"].endswith("/device") and started["interval"] == 5

    # when: the device polls before approval, then too fast
    pending = _poll(tenant, native, started["device_code"])
    too_fast = _poll(tenant, native, started["device_code"])

    # then
    assert pending.json()["error"] == "authorization_pending"
    assert too_fast.json()["error"] == "slow_down"

    # when: the user approves on the verification page
    done = _decide(tenant, signed_in, started["user_code"].lower().replace("-", " "), "approve")
    assert b"signed in on your device" in done.content
    tokens = _poll(tenant, native, started["device_code"])

    # then
    assert tokens.status_code == 200, tokens.content
    body = tokens.json()
    claims = json.loads(jwt.JWT(jwt=body["access_token"]).token.objects["payload"])
    assert claims["sub"] == str(customer.pk) and claims["azp"] == native.client_id
    assert body["id_token"] and body["refresh_token"]
    # single use
    assert _poll(tenant, native, started["device_code"]).json()["error"] == "invalid_grant"
    # the refresh token works
    refreshed = Client().post(
        tenant.url("/oauth2/v2.0/token"),
        {
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": native.client_id,
        },
    )
    assert refreshed.status_code == 200, refreshed.content


def test_denied_request_answers_access_denied(tenant, signed_in, native, customer):
    started = _start(tenant, native)
    _decide(tenant, signed_in, started["user_code"], "deny")
    assert _poll(tenant, native, started["device_code"]).json()["error"] == "access_denied"


def test_expired_device_code_answers_expired_token(tenant, native):
    from django.core.cache import cache

    started = _start(tenant, native)
    with tenant.context():
        key = device._request_key(device._digest(started["device_code"]))
        state = cache.get(key)
        state["expires_at"] = time.time() - 1
        cache.set(key, state, 600)
    assert _poll(tenant, native, started["device_code"]).json()["error"] == "expired_token"


def test_another_clients_device_code_is_invalid_grant(tenant, native, make_app):
    started = _start(tenant, native)
    other, _ = make_app("native", redirect_uris=["http://127.0.0.1/cb"])
    assert _poll(tenant, other, started["device_code"]).json()["error"] == "invalid_grant"


def test_spa_and_daemon_may_not_use_the_device_grant(tenant, make_app):
    spa, _ = make_app("spa")
    response = Client().post(
        tenant.url("/oauth2/v2.0/devicecode"), {"client_id": spa.client_id, "scope": "openid"}
    )
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"


def test_unknown_scope_is_refused(tenant, native):
    response = Client().post(
        tenant.url("/oauth2/v2.0/devicecode"),
        {"client_id": native.client_id, "scope": "openid api://nope/x"},
    )
    assert response.json()["error"] == "invalid_scope"


def test_verification_page_asks_signed_out_users_to_sign_in(tenant):
    response = Client().get(tenant.url("/device"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_wrong_user_codes_are_rate_limited(tenant, signed_in, native, customer):
    started = _start(tenant, native)
    for _ in range(device.USER_CODE_ATTEMPTS):
        wrong = signed_in.post(tenant.url("/device"), {"user_code": "BBBB-BBBB"})
        assert wrong.status_code == 400
    # even the right code is refused now
    limited = signed_in.post(tenant.url("/device"), {"user_code": started["user_code"]})
    assert limited.status_code == 429


@pytest.fixture
def msal_device(tenants_setup, live_url, settings):
    from applications import services
    from directory.models import User

    from .conftest import create_customer

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    tenant = tenants_setup[0]
    host = f"{tenant.name}.localhost"
    proxy = TLSFrontProxy(live_url, [host])
    with tenant.context():
        app, _ = services.register_application(
            name="MSAL device app",
            app_type="native",
            redirect_uris=["http://127.0.0.1/cb"],
            actor="tests",
        )
        user = create_customer("msal-device@example.com")
        cookie = session_cookie_for(user)
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"https": proxy.proxy_url}
    session.verify = proxy.ca_file
    yield {
        "host": host,
        "tid": str(tenant.tenant.pk),
        "client_id": app.client_id,
        "user_id": str(user.pk),
        "cookie": cookie,
        "http": session,
    }
    session.close()
    proxy.close()
    with tenant.context():
        app.delete()
        User.objects.filter(pk=user.pk).delete()


def test_msal_device_code_flow(msal_device):
    # given: a public client configured as for Entra External ID, host changed
    app = msal.PublicClientApplication(
        msal_device["client_id"],
        authority=f"https://{msal_device['host']}/{msal_device['tid']}",
        instance_discovery=False,
        http_client=msal_device["http"],
    )
    flow = app.initiate_device_flow(scopes=[])
    assert "user_code" in flow, flow

    # when: the user approves in a browser (signed in, over the same https front)
    browser = msal_device["http"]
    browser.cookies.set("ciam_session", msal_device["cookie"], domain=msal_device["host"])
    page = browser.get(flow["verification_uri"], timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    headers = {"Referer": flow["verification_uri"]}
    form = {"csrfmiddlewaretoken": token, "user_code": flow["user_code"]}
    browser.post(flow["verification_uri"], data=form, headers=headers, timeout=10)
    done = browser.post(
        flow["verification_uri"], data={**form, "action": "approve"}, headers=headers, timeout=10
    )
    assert "signed in on your device" in done.text
    result = app.acquire_token_by_device_flow(flow)

    # then
    assert "access_token" in result, result
    assert result["id_token_claims"]["sub"] == msal_device["user_id"]
    assert result["id_token_claims"]["tid"] == msal_device["tid"]
    assert result["id_token_claims"]["iss"] == (
        f"https://{msal_device['host']}/{msal_device['tid']}/v2.0"
    )
