"""Customer journeys in a real browser (Playwright driving Debian's Chromium) against a
live server, with a real SMTP server and a real OpenID Connect provider.

Most journeys end where the customer is sent back to the app's authorize URL or lands on
the account page; `test_signup_then_tokens_at_the_app` follows one through to tokens."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from .conftest import PASSWORD


@pytest.fixture
def live(tenants_setup, live_url, django_db_blocker, smtp, page):
    """The `testco` tenant on the live server; committed data is removed afterwards."""
    from django_tenants.utils import schema_context

    tenant = tenants_setup[0]

    class Live:
        base = f"{live_url}/t/{tenant.name}"
        mailbox = smtp

        @staticmethod
        def run(fn):
            from django.db import connections

            # Playwright's greenlets give this code its own context, hence its own
            # connection: close it here, or it outlives the test database.
            try:
                with django_db_blocker.unblock(), schema_context(tenant.schema):
                    return fn()
            finally:
                connections.close_all()

        def authorize_url(self, **extra) -> str:
            query = {
                "client_id": "browser-app",
                "response_type": "code",
                "redirect_uri": "https://app.example/cb",
                "state": "xyz",
                **extra,
            }
            qs = "&".join(f"{k}={quote(v)}" for k, v in query.items())
            return f"/t/{tenant.name}/oauth2/v2.0/authorize?{qs}"

        def login_url(self, **extra) -> str:
            return f"{self.base}/account/login/?next={quote(self.authorize_url(**extra))}"

    live = Live()
    page.set_default_timeout(10_000)
    with django_db_blocker.unblock():  # the server threads use the database too
        yield live

    def cleanup():
        from allauth.socialaccount.models import SocialAccount

        from directory.models import User
        from insights.models import Event
        from userflows import services
        from userflows.models import FlowAttribute, IdentityProvider, UserFlow

        SocialAccount.objects.all().delete()
        User.objects.filter(kind="customer").delete()
        FlowAttribute.objects.all().delete()
        IdentityProvider.objects.all().delete()
        UserFlow.objects.filter(is_default=False).delete()
        flow = services.get_default_flow()
        flow.mfa_policy = "off"
        flow.password_enabled = flow.email_code_enabled = flow.signup_enabled = True
        flow.save()
        Event.objects.all().delete()

    live.run(cleanup)


def make_customer(live, email="walker@example.com"):
    def create():
        from allauth.account.models import EmailAddress

        from directory.models import User

        user = User.objects.create_user(email, PASSWORD, kind="customer")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return live.run(create)


def password_signin(page, live, email="walker@example.com", password=PASSWORD, **extra):
    page.goto(live.login_url(**extra))
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("#signin-password")


def test_signup_with_email_code_attributes_and_consent(page, live):
    # given a flow that collects a given name and a terms-of-use consent
    def configure():
        from userflows import services
        from userflows.models import FlowAttribute

        flow = services.get_default_flow()
        FlowAttribute.objects.create(
            flow=flow, attribute="given_name", label="Given name", required=True, order=1
        )
        FlowAttribute.objects.create(
            flow=flow,
            attribute="terms",
            label="I accept the terms of use",
            input_type="checkbox",
            required=True,
            order=2,
            link_url="https://example.com/terms",
        )

    live.run(configure)
    page.goto(live.login_url())
    page.click("#signup-link")
    page.fill("#id_email", "newbie@example.com")
    page.click("#signup-submit")
    page.fill("#id_code", live.mailbox.last_code("newbie@example.com"))
    page.click("#signup-submit")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("#signup-submit")
    page.fill("#id_given_name", "Nora")
    # consent not given: refused beside the field
    page.click("#signup-submit")
    assert page.locator("#id_terms_errors").is_visible()
    page.check("#id_terms")
    page.click("#signup-submit")
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*client_id=browser-app.*"))

    def created():
        from directory.models import User

        return User.objects.get(email="newbie@example.com").given_name

    assert live.run(created) == "Nora"


def test_signup_then_tokens_at_the_app(page, live):
    """The whole journey: an app's authorize request, sign-up with code, attributes and
    consent, then the app exchanges the code for tokens that carry what was collected."""
    import base64
    import hashlib
    import json
    import secrets
    from urllib.parse import parse_qs, urlparse

    import requests

    def configure():
        from applications.services import register_application
        from userflows import services
        from userflows.models import FlowAttribute

        FlowAttribute.objects.create(
            flow=services.get_default_flow(),
            attribute="given_name",
            label="Given name",
            required=True,
            order=1,
        )
        app, secret = register_application(
            name="Browser shop",
            app_type="web",
            redirect_uris=["https://app.example/cb"],
            actor="tests",
        )
        return app.client_id, secret

    client_id, secret = live.run(configure)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    landed: dict[str, str] = {}

    def app_callback(route):
        landed["url"] = route.request.url
        route.fulfill(status=200, body="signed in")

    page.route("https://app.example/**", app_callback)
    try:
        # when the app sends a new customer to sign up
        page.goto(
            live.login_url(
                client_id=client_id,
                scope="openid profile email",
                nonce="n-42",
                code_challenge=challenge,
                code_challenge_method="S256",
            )
        )
        page.click("#signup-link")
        page.fill("#id_email", "shopper@example.com")
        page.click("#signup-submit")
        page.fill("#id_code", live.mailbox.last_code("shopper@example.com"))
        page.click("#signup-submit")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.click("#signup-submit")
        page.fill("#id_given_name", "Sam")
        page.click("#signup-submit")
        page.wait_for_url(re.compile(r"https://app\.example/cb\?.*"))
        # then the app gets a code for its state and exchanges it for tokens
        query = parse_qs(urlparse(landed["url"]).query)
        assert query["state"] == ["xyz"]
        response = requests.post(
            f"{live.base}/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": "https://app.example/cb",
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        payload = tokens["id_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert claims["aud"] == client_id
        assert claims["nonce"] == "n-42"
        assert claims["email"] == "shopper@example.com"
        assert claims["given_name"] == "Sam"
        assert claims["iss"] == live.base
    finally:

        def cleanup():
            from applications.models import Application

            Application.objects.filter(client_id=client_id).delete()

        live.run(cleanup)


def test_signin_with_password(page, live):
    make_customer(live)
    password_signin(page, live)
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*state=xyz.*"))


def test_signin_with_email_code(page, live):
    make_customer(live)
    page.goto(live.login_url())
    page.click("#signin-code")
    page.fill("#id_email", "walker@example.com")
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/login/code/confirm/.*"))
    page.fill("#id_code", live.mailbox.last_code("walker@example.com"))
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*"))


def test_password_reset(page, live):
    make_customer(live)
    page.goto(live.login_url())
    page.click("text=Forgot your password?")
    page.fill("#id_email", "walker@example.com")
    page.click("form[method=post] button[type=submit]")
    page.fill("#id_code", live.mailbox.last_code("walker@example.com"))
    page.click("form[method=post] button[type=submit]")
    page.fill("#id_password1", "Brand-New-Harbour-88")
    page.fill("#id_password2", "Brand-New-Harbour-88")
    page.click("form[method=post] button[type=submit]")
    password_signin(page, live, password="Brand-New-Harbour-88")
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*"))


def test_mfa_enrolment_and_challenge(page, live):
    make_customer(live)
    password_signin(page, live)
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*"))
    page.goto(f"{live.base}/account/2fa/totp/activate/")
    page.fill("#id_password", PASSWORD)  # re-authentication first
    page.click("form[method=post]:has(#id_password) button[type=submit]")
    secret = page.locator("#authenticator_secret").input_value()
    counter = int(time.time()) // 30
    page.fill("#id_code", format_hotp_value(hotp_value(secret, counter)))
    page.click("form[method=post]:has(#id_code) button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/2fa/.*"))
    # sign out, sign in again: the authenticator app is asked for
    page.click("header form button")
    password_signin(page, live)
    page.wait_for_url(re.compile(r".*/account/2fa/authenticate/.*"))
    page.fill("#id_code", format_hotp_value(hotp_value(secret, counter + 1)))
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*"))


def test_federated_signin_through_an_openid_connect_provider(page, live, oidc_provider):
    def configure():
        from userflows import services

        provider = services.save_identity_provider(
            provider=None,
            data={
                "kind": "openid_connect",
                "slug": "partner",
                "name": "Partner",
                "client_id": oidc_provider.client_id,
                "client_secret": oidc_provider.client_secret,
                "issuer": oidc_provider.issuer,
                "scopes": "openid email profile",
            },
            actor="tests",
        )
        services.get_default_flow().identity_providers.add(provider)

    live.run(configure)
    page.goto(live.login_url())
    page.click("#idp-partner")
    page.wait_for_url(re.compile(r".*/oauth2/v2\.0/authorize\?.*client_id=browser-app.*"))

    def linked():
        from allauth.socialaccount.models import SocialAccount

        return SocialAccount.objects.get(uid="partner-user-1").user.email

    assert live.run(linked) == "fed@example.com"


def test_federated_signin_through_another_tenant(page, live, tenants_setup, django_db_blocker):
    """Tenant `otherco` of this platform is the OpenID Connect provider of `testco`."""
    from django.db import connections
    from django.urls import reverse
    from django_tenants.utils import schema_context

    other = tenants_setup[1]
    server = live.base.rsplit("/t/", 1)[0]
    callback = f"/t/testco{reverse('openid_connect_callback', args=['partner-tenant'])}"

    def in_other(fn):
        try:
            with django_db_blocker.unblock(), schema_context(other.schema):
                return fn()
        finally:
            connections.close_all()

    def provider_side():
        from allauth.account.models import EmailAddress

        from applications.services import register_application
        from directory.models import User

        user = User.objects.create_user(
            "partner@otherco.example", PASSWORD, kind="customer", display_name="Pat Partner"
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        app, secret = register_application(
            name="testco federation",
            app_type="web",
            redirect_uris=[server + callback],
            actor="tests",
        )
        return app.client_id, secret

    client_id, secret = in_other(provider_side)
    try:

        def configure():
            from userflows import services

            provider = services.save_identity_provider(
                provider=None,
                data={
                    "kind": "openid_connect",
                    "slug": "partner-tenant",
                    "name": "Other Co",
                    "client_id": client_id,
                    "client_secret": secret,
                    "issuer": f"{server}/t/{other.name}",
                    "scopes": "openid email profile",
                },
                actor="tests",
            )
            services.get_default_flow().identity_providers.add(provider)

        live.run(configure)
        # when the customer picks the partner tenant on testco's sign-in page
        page.goto(live.login_url())
        page.click("#idp-partner-tenant")
        # then otherco's own sign-in page asks for otherco's credentials
        page.wait_for_url(re.compile(rf".*/t/{other.name}/account/login/.*"))
        page.fill("#id_login", "partner@otherco.example")
        page.fill("#id_password", PASSWORD)
        page.click("#signin-password")
        # and the customer comes back to testco's authorize request, signed in
        page.wait_for_url(
            re.compile(r".*/t/testco/oauth2/v2\.0/authorize\?.*client_id=browser-app.*")
        )

        def linked():
            from allauth.socialaccount.models import SocialAccount

            account = SocialAccount.objects.get(provider="partner-tenant")
            return account.user.email, account.user.kind

        assert live.run(linked) == ("partner@otherco.example", "customer")
    finally:

        def provider_cleanup():
            from applications.models import Application
            from directory.models import User

            Application.objects.filter(client_id=client_id).delete()
            User.objects.filter(email="partner@otherco.example").delete()

        in_other(provider_cleanup)


def test_account_deletion(page, live):
    make_customer(live)
    page.goto(f"{live.base}/account/login/")
    page.fill("#id_login", "walker@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("#signin-password")
    page.wait_for_url(re.compile(r".*/account/profile/"))
    page.click("text=Delete account")
    page.fill("#id_password", PASSWORD)
    page.click("form[method=post]:has(#id_password) button[type=submit]")
    page.check("#confirm-delete")
    page.click("#delete-submit")
    page.wait_for_selector("text=Your account and personal data were deleted.")

    def exists():
        from directory.models import User

        return User.objects.filter(email="walker@example.com").exists()

    assert live.run(exists) is False
