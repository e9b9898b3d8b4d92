"""Fixtures of the identity-server tests: apps, customers, signed-in clients, PKCE."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

CUSTOMER_PASSWORD = "Customer-Secret-77"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def session_cookie_for(user) -> str:
    """A tenant session for `user` (call inside the tenant's schema)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cache import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def create_customer(email: str):
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from directory.models import User

    user = User.objects.create_user(
        email=email,
        password=CUSTOMER_PASSWORD,
        kind="customer",
        display_name="Casey Customer",
        given_name="Casey",
        surname="Customer",
    )
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def customer(tenant):
    with tenant.context():
        return create_customer("casey@example.com")


@pytest.fixture
def signed_in(tenant, customer) -> Client:
    """A browser signed in to `tenant` as `customer`."""
    client = Client()
    with tenant.context():
        client.cookies["ciam_session"] = session_cookie_for(customer)
    return client


@pytest.fixture
def make_app(tenant):
    def make(app_type: str = "web", redirect_uris=None, **changes):
        from applications import services

        if redirect_uris is None:
            redirect_uris = [] if app_type in {"daemon", "api"} else ["https://app.example/cb"]
        with tenant.context():
            app, secret = services.register_application(
                name=f"{app_type} app",
                app_type=app_type,
                redirect_uris=redirect_uris,
                post_logout_redirect_uris=changes.pop("post_logout_redirect_uris", None),
                actor="tests",
            )
            if changes:
                services.update_application(app, actor="tests", **changes)
        return app, secret

    return make


class Flow:
    """Drives the authorization code flow through Django's test client."""

    def __init__(
        self, tenant, browser: Client, app, secret=None, redirect_uri="https://app.example/cb"
    ):
        self.tenant, self.browser, self.app, self.secret = tenant, browser, app, secret
        self.redirect_uri = redirect_uri
        self.api = Client()

    def authorize(self, pkce: bool = True, **params):
        self.verifier, challenge = pkce_pair()
        query = {
            "client_id": self.app.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile email offline_access",
            "state": "st4te",
            "nonce": "n0nce",
        }
        if pkce:
            query.update(code_challenge=challenge, code_challenge_method="S256")
        query.update(params)
        return self.browser.get(self.tenant.url("/oauth2/v2.0/authorize"), query)

    def code(self, **params) -> str:
        response = self.authorize(**params)
        assert response.status_code == 302, response.content
        location = response["Location"]
        assert location.startswith(self.redirect_uri), location
        return query_of(location)["code"]

    def token(self, data: dict, auth: tuple[str, str] | None = None, **extra):
        if auth is None and self.secret:
            auth = (self.app.client_id, self.secret)
        if auth:
            raw = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            extra["HTTP_AUTHORIZATION"] = f"Basic {raw}"
        elif "client_id" not in data:
            data = {**data, "client_id": self.app.client_id}
        return self.api.post(self.tenant.url("/oauth2/v2.0/token"), data, **extra)

    def exchange(self, code: str, **data):
        return self.token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": self.verifier,
                **data,
            }
        )

    def tokens(self) -> dict:
        response = self.exchange(self.code())
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def flow(tenant, signed_in, make_app):
    app, secret = make_app("web")
    return Flow(tenant, signed_in, app, secret)


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    """Keys created inside a test's transaction vanish with it: forget them."""
    from applications import keys, tokens

    keys.clear_caches()
    tokens._issuer_cache.clear()
    yield
    keys.clear_caches()
    tokens._issuer_cache.clear()
