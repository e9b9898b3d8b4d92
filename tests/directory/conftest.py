"""Fixtures of the directory tests: customers, groups and management API clients."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.test import Client
from django.utils import timezone

from tests.plugins.fixtures import PASSWORD

ALL_API_PERMISSIONS = (
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Application.ReadWrite.All",
)


@pytest.fixture
def make_customer(tenant):
    """Create a customer in `tenant` (or another tenant given as `info`)."""

    def make(email: str = "ann@example.com", info=None, **extra):
        from directory import services_users

        profile = {k: extra.pop(k) for k in list(extra) if k in services_users.PROFILE_FIELDS}
        with (info or tenant).context():
            user, _ = services_users.create_customer(
                email=email, password=PASSWORD, actor="tests", profile=profile, **extra
            )
        return user

    return make


def issue_token(info, permissions=ALL_API_PERMISSIONS, grant=True, scope=None, expired=False):
    """A daemon app of the tenant with an access token row (what the token endpoint
    issues for the client-credentials grant)."""
    from applications.models import AccessToken, ApiPermission, Application

    with info.context():
        app = Application.objects.create(
            name=f"daemon-{secrets.token_hex(3)}",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )
        if grant:
            for permission in permissions:
                ApiPermission.objects.create(
                    client=app,
                    kind=ApiPermission.Kind.APPLICATION,
                    value=permission,
                    admin_consented=True,
                )
        token = secrets.token_urlsafe(24)
        AccessToken.objects.create(
            application=app,
            token=token,
            scope=" ".join(permissions) if scope is None else scope,
            expires=timezone.now() + dt.timedelta(hours=-1 if expired else 1),
        )
    return token


class ApiClient:
    def __init__(self, info, token: str) -> None:
        self.info = info
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def url(self, path: str) -> str:
        return self.info.url("/api/v1" + path)

    def get(self, path, data=None, **kw):
        return self.client.get(self.url(path), data, **kw)

    def post(self, path, data=None, **kw):
        return self.client.post(self.url(path), data or {}, content_type="application/json", **kw)

    def patch(self, path, data=None, **kw):
        return self.client.patch(self.url(path), data or {}, content_type="application/json", **kw)

    def delete(self, path, **kw):
        return self.client.delete(self.url(path), **kw)


@pytest.fixture
def api(tenant) -> ApiClient:
    return ApiClient(tenant, issue_token(tenant))


@pytest.fixture
def make_api(tenant):
    def make(*permissions, info=None, **kw) -> ApiClient:
        info = info or tenant
        return ApiClient(info, issue_token(info, permissions, **kw))

    return make
