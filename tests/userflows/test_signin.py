"""Sign-in with password and with an email code; the flow chosen by the app; smart
lockout; blocked and admin accounts; no account enumeration."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from directory.models import User
from insights.models import Event
from userflows.models import UserFlow, UserFlowApplication

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def authorize_url(tenant, client_id="app-1", **extra) -> str:
    query = "&".join(
        f"{k}={quote(v)}"
        for k, v in {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": "https://app.example/cb",
            "state": "s1",
            # a public client sends PKCE (RFC 7636; required of public clients here)
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
            **extra,
        }.items()
    )
    return tenant.url(f"/oauth2/v2.0/authorize?{query}")


def start(client, tenant, **extra):
    """The app sends the browser to /authorize, which stores the request in a journey and
    sends the browser on to the sign-in page."""
    r = client.get(authorize_url(tenant, **extra))
    assert r.status_code == 302, r.content
    return r


def login(client, tenant, email, password, next_url=None, ip="10.0.0.1"):
    url = tenant.url("/account/login/")
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data, REMOTE_ADDR=ip)


def test_password_signin_redirects_to_the_authorize_url(tenant, default_flow, make_customer):
    user = make_customer()
    next_url = authorize_url(tenant)
    r = login(Client(), tenant, "ada@example.com", PASSWORD, next_url)
    assert r.status_code == 302
    assert r["Location"] == next_url
    with tenant.context():
        event = Event.objects.get(kind="signin.succeeded")
        assert event.user_id == user.pk
        assert event.flow_id == default_flow.pk
        assert User.objects.get(pk=user.pk).last_sign_in_at is not None


def test_wrong_password_and_unknown_email_answer_the_same(tenant, default_flow, make_customer):
    make_customer()
    wrong = login(Client(), tenant, "ada@example.com", "Not-The-Password-1")
    unknown = login(Client(), tenant, "nobody@example.com", "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors
    with tenant.context():
        assert Event.objects.filter(kind="signin.failed").count() == 2


def test_blocked_customer_cannot_sign_in(tenant, default_flow, make_customer):
    make_customer(is_active=False)
    r = login(Client(), tenant, "ada@example.com", PASSWORD)
    assert r.status_code == 403
    assert b"This account is inactive." in r.content
    # without the right password, a blocked account looks like any wrong sign-in
    wrong = login(Client(), tenant, "ada@example.com", "Wrong-Password-1")
    unknown = login(Client(), tenant, "nobody@example.com", "Wrong-Password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors
    with tenant.context():
        assert not Event.objects.filter(kind="signin.succeeded").exists()


def test_admin_accounts_cannot_use_customer_signin(tenant, default_flow):
    r = login(Client(), tenant, tenant.admin_email, tenant.password)
    assert r.status_code == 403
    with tenant.context():
        assert Event.objects.filter(kind="signin.failed", data__reason="blocked").exists()
        assert not Event.objects.filter(kind="signin.succeeded").exists()


def test_lockout_after_repeated_failures_from_one_address(tenant, default_flow, make_customer):
    make_customer()
    client = Client()
    for _ in range(5):
        login(client, tenant, "ada@example.com", "Wrong-Password-123", ip="10.9.9.9")
    # the right password is refused from the attacking address ...
    r = login(client, tenant, "ada@example.com", PASSWORD, ip="10.9.9.9")
    assert r.status_code == 200
    assert b"Too many failed sign-in attempts" in r.content
    # ... but the customer at another address is not locked out
    r = login(Client(), tenant, "ada@example.com", PASSWORD, ip="10.1.1.1")
    assert r.status_code == 302
    with tenant.context():
        assert Event.objects.filter(kind="signin.failed", data__reason="locked").exists()


def test_lockout_delay_grows_with_further_failures():
    from userflows import lockout

    assert lockout._delay(5, 5) == 30
    assert lockout._delay(6, 5) == 60
    assert lockout._delay(9, 5) == 480
    assert lockout._delay(50, 5) == lockout.MAX_DELAY


def test_distributed_attack_locks_unfamiliar_addresses_but_not_familiar_ones(
    tenant, default_flow, make_customer
):
    make_customer()
    # the customer signed in before from their usual address
    assert login(Client(), tenant, "ada@example.com", PASSWORD, ip="10.1.1.1").status_code == 302
    # many addresses fail a few times each
    for n in range(10):
        for _ in range(2):
            login(Client(), tenant, "ada@example.com", "Wrong-Password-1", ip=f"10.7.0.{n}")
    # a new address is locked even with the right password
    r = login(Client(), tenant, "ada@example.com", PASSWORD, ip="10.8.0.1")
    assert b"Too many failed sign-in attempts" in r.content
    # the familiar address still signs in
    assert login(Client(), tenant, "ada@example.com", PASSWORD, ip="10.1.1.1").status_code == 302


def test_login_rate_limit_per_address(tenant, default_flow, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    codes = [
        login(Client(), tenant, f"x{n}@example.com", "Whatever-123", ip="10.5.5.5").status_code
        for n in range(4)
    ]
    assert codes[-1] == 429


def _code_signin(client, tenant, email, smtp=None, next_url=None):
    url = tenant.url("/account/login/code/")
    if next_url:
        url += f"?next={quote(next_url)}"
    return client.post(url, {"email": email})


def test_signin_with_email_code(tenant, smtp, default_flow, make_customer):
    make_customer()
    client = Client()
    next_url = authorize_url(tenant)
    r = _code_signin(client, tenant, "ada@example.com", next_url=next_url)
    assert r.status_code == 302
    code = smtp.last_code("ada@example.com")
    r = client.post(r["Location"], {"code": code, "next": next_url})
    assert r.status_code == 302
    assert r["Location"] == next_url


def test_email_code_for_unknown_email_answers_the_same(tenant, smtp, default_flow, make_customer):
    make_customer()
    known = _code_signin(Client(), tenant, "ada@example.com")
    unknown = _code_signin(Client(), tenant, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_wrong_email_codes_are_limited(tenant, smtp, default_flow, make_customer):
    make_customer()
    client = Client()
    _code_signin(client, tenant, "ada@example.com")
    code = smtp.last_code("ada@example.com")
    wrong = "000000" if code != "000000" else "111111"
    confirm = tenant.url("/account/login/code/confirm/")
    first = client.post(confirm, {"code": wrong})
    assert first.status_code == 200
    for _ in range(2):
        r = client.post(confirm, {"code": wrong})
    # after the maximum attempts the code is gone: even the right one fails
    r = client.post(confirm, {"code": code})
    assert r.status_code == 302
    assert "_auth_user_id" not in client.session


def test_flow_of_the_app_decides_the_methods(tenant, default_flow, make_customer):
    # given an app whose flow only allows email codes
    from applications.models import Application

    make_customer()
    with tenant.context():
        flow = UserFlow.objects.create(
            name="Codes only", password_enabled=False, email_code_enabled=True
        )
        app = Application.objects.create(
            name="Shop",
            client_id="shop-app",
            client_type="public",
            authorization_grant_type="authorization-code",
            redirect_uris="https://app.example/cb",
        )
        UserFlowApplication.objects.create(flow=flow, application=app)
    next_url = authorize_url(tenant, client_id="shop-app")
    client = Client()
    page = client.get(start(client, tenant, client_id="shop-app")["Location"])
    assert b'id="signin-password"' not in page.content
    assert b'id="signin-code"' in page.content
    # a password sign-in is refused
    r = login(client, tenant, "ada@example.com", PASSWORD, next_url)
    assert r.status_code == 200
    assert b"does not use passwords" in r.content
    # while the default flow still offers passwords
    page = Client().get(tenant.url("/account/login/"))
    assert b'id="signin-password"' in page.content


def test_code_signin_refused_when_flow_has_no_codes(tenant, default_flow):
    with tenant.context():
        default_flow.email_code_enabled = False
        default_flow.save()
    r = Client().post(tenant.url("/account/login/code/"), {"email": "ada@example.com"})
    assert r.status_code == 302
    assert "/account/login/" in r["Location"]


def test_login_hint_prefills_and_prompt_create_opens_signup(tenant, default_flow, app_one):
    client = Client()
    page = client.get(start(client, tenant, login_hint="hint@example.com")["Location"])
    assert b"hint@example.com" in page.content
    # prompt=create: /authorize sends the browser to the sign-up page of the journey
    client = Client()
    r = start(client, tenant, prompt="create")
    assert "/account/signup/" in r["Location"]
    page = client.get(r["Location"])
    assert b'id="signup-submit"' in page.content


def test_prompt_none_answers_login_required_to_the_app(tenant, default_flow, app_one):
    # /authorize answers the app itself: no page is shown
    r = start(Client(), tenant, prompt="none")
    assert r["Location"] == "https://app.example/cb?error=login_required&state=s1"
    # an unregistered redirect URI is never used
    bad = authorize_url(tenant, prompt="none", redirect_uri="https://evil.example/cb")
    r = Client().get(bad)
    assert r.status_code == 400


def test_ui_locales_and_accept_language_pick_the_language(tenant, default_flow, app_one):
    client = Client()
    page = client.get(start(client, tenant, ui_locales="fr-CA de")["Location"])
    assert page.content.count(b"Connexion") >= 1
    page = Client().get(tenant.url("/account/login/"), HTTP_ACCEPT_LANGUAGE="de")
    assert b"Anmeldung" in page.content


def test_prompt_login_asks_a_signed_in_customer_again(tenant, default_flow, make_customer, app_one):
    make_customer()
    client = Client()
    assert login(client, tenant, "ada@example.com", PASSWORD).status_code == 302
    # without prompt, a signed-in customer goes straight on
    r = client.get(tenant.url("/account/login/"), {"next": authorize_url(tenant)})
    assert r.status_code == 302
    # prompt=login shows the sign-in page again
    r = client.get(start(client, tenant, prompt="login")["Location"])
    assert r.status_code == 200
    assert b'id="signin-password"' in r.content


def test_code_requests_are_rate_limited_per_email(tenant, smtp, default_flow, make_customer):
    make_customer()
    responses = [
        Client().post(tenant.url("/account/login/code/"), {"email": "ada@example.com"})
        for _ in range(4)
    ]
    assert [r.status_code for r in responses[:3]] == [302, 302, 302]
    assert responses[3].status_code in (200, 429)
    assert len(smtp.to("ada@example.com")) == 3


def test_password_reset_requests_are_rate_limited(tenant, smtp, default_flow, make_customer):
    make_customer()
    responses = [
        Client().post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
        for _ in range(6)
    ]
    assert responses[-1].status_code in (200, 429)
    assert len(smtp.to("ada@example.com")) == 5
