"""Helpers for attacks driven over real HTTP against the live test server: data is
committed (the server has its own database connection) and removed afterwards."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import requests
from django.utils import timezone

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass
class Committed:
    tenant: object
    blocker: object

    def __call__(self, fn, *args, **kwargs):
        """Run `fn` in the tenant's schema with the database unblocked; commits."""
        with self.blocker.unblock(), self.tenant.context():  # type: ignore[attr-defined]
            return fn(*args, **kwargs)


@pytest.fixture
def committed(tenants_setup, django_db_blocker):
    from directory.models import Group, ScimToken, User

    tenant = tenants_setup[0]
    started = timezone.now()
    yield Committed(tenant, django_db_blocker)
    with django_db_blocker.unblock(), tenant.context():
        User.objects.filter(kind=User.Kind.CUSTOMER, created_at__gte=started).delete()
        Group.objects.filter(created_at__gte=started).delete()
        ScimToken.objects.filter(created_at__gte=started).delete()


class LiveScim:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params=None) -> requests.Response:
        return self.http.get(self.base + path, params=params, timeout=30)

    def send(self, method: str, path: str, body=None, data=None) -> requests.Response:
        headers = {"Content-Type": "application/scim+json"}
        if data is None:
            data = json.dumps(body).encode()
        return self.http.request(method, self.base + path, data=data, headers=headers, timeout=30)


@pytest.fixture
def live_scim(live_url, committed):
    from directory import services_access

    _, token = committed(services_access.create_scim_token, name="attack", actor="tests")
    return LiveScim(f"{live_url}{committed.tenant.url('/scim/v2')}", token)


def assert_scim_error(response: requests.Response, status: int, scim_type: str | None = None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["schemas"] == [SCIM_ERROR]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body


class LiveApi:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body=None, data=None, params=None):
        if data is None and body is not None:
            data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        return self.http.request(
            method, self.base + path, data=data, params=params, headers=headers, timeout=30
        )


@pytest.fixture
def live_api(live_url, committed):
    """The management API of the committed tenant, with a token holding every permission."""
    from applications.models import AccessToken, Application
    from tests.directory.conftest import issue_token

    token = issue_token_committed(committed, issue_token)
    yield LiveApi(f"{live_url}{committed.tenant.url('/api/v1')}", token)

    def remove():
        app_ids = AccessToken.objects.filter(token=token).values_list("application_id", flat=True)
        Application.objects.filter(pk__in=list(app_ids)).delete()

    committed(remove)


def issue_token_committed(committed, issue_token):
    with committed.blocker.unblock():
        return issue_token(committed.tenant)


def assert_api_error(response: requests.Response, status: int, code: str):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code, response.text
