"""Fixtures of the security regression suite: a tenant over real HTTP (the live test
server) and helpers that drive it as an attacker would, with `requests`: admin center
forms with their CSRF tokens, the token endpoint, the management API.

Rows made here are committed (the live server runs in its own threads); each fixture
removes what it made."""

from __future__ import annotations

import re
import secrets

import pytest
import requests

from tests.plugins.fixtures import PASSWORD

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """An admin's browser on the live server: keeps cookies, sends CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=30)

    def submit(self, path: str, data: dict, page: str | None = None) -> requests.Response:
        """POST a form as the page at `page` (default: `path`) would, CSRF token included."""
        form_page = self.get(page or path)
        match = CSRF_FIELD.search(form_page.text)
        assert match, f"no CSRF token on {page or path}"
        return self.http.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": match.group(1)},
            headers={"Referer": self.base + (page or path)},
            timeout=30,
        )

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        response = self.submit(
            "/admin/signin/", {"email": email, "password": password}, page="/admin/signin/"
        )
        assert response.status_code == 200 and "/admin/signin" not in response.url, response.url


class Daemon:
    """A daemon app calling the token endpoint and the management API over HTTP."""

    def __init__(self, base: str, client_id: str, secret: str) -> None:
        self.base, self.client_id, self.secret = base, client_id, secret
        self.token = ""
        self.scope = ""

    def sign_in(self) -> requests.Response:
        response = requests.post(
            f"{self.base}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "scope": "urn:ciam:management-api/.default",
            },
            auth=(self.client_id, self.secret),
            timeout=30,
        )
        if response.status_code == 200:
            self.token = response.json()["access_token"]
            self.scope = response.json().get("scope", "")
        return response

    def call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.base}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )


@pytest.fixture
def live_tenant(tenants_setup, live_url):
    """testco over HTTP; removes the admins, apps, customers and audit rows made while
    the test ran."""
    from applications.models import Application
    from directory.models import AuditEvent, User

    tenant = tenants_setup[0]
    with tenant.context():
        users_before = set(User.objects.values_list("pk", flat=True))
        apps_before = set(Application.objects.values_list("pk", flat=True))
        audit_before = set(AuditEvent.objects.values_list("pk", flat=True))
    tenant.base = f"{live_url}/t/{tenant.name}"  # type: ignore[attr-defined]
    yield tenant
    with tenant.context():
        Application.objects.exclude(pk__in=apps_before).delete()
        User.objects.exclude(pk__in=users_before).delete()
        AuditEvent.objects.exclude(pk__in=audit_before).delete()


@pytest.fixture
def live_admin(live_tenant):
    """A browser signed in to the live tenant as a new admin with `roles`."""

    def make(*roles: str) -> Browser:
        from directory import services

        email = f"{'-'.join(roles)}-{secrets.token_hex(3)}@testco.example"
        with live_tenant.context():
            services.create_admin(email=email, password=PASSWORD, roles=list(roles), actor="tests")
        browser = Browser(live_tenant.base)
        browser.sign_in(email)
        browser.email = email  # type: ignore[attr-defined]
        return browser

    return make


@pytest.fixture
def victim(live_tenant):
    """A customer of the live tenant whose account an attacker wants."""
    from directory import services_users

    with live_tenant.context():
        user, _ = services_users.create_customer(
            email=f"victim-{secrets.token_hex(3)}@example.com",
            password=PASSWORD,
            actor="tests",
            profile={},
        )
    return user
