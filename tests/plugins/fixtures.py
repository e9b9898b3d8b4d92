"""Shared fixtures, registered as a pytest plugin (see pyproject addopts)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

PASSWORD = "Correct-Horse-Battery-9"


@dataclass
class TenantInfo:
    tenant: object
    admin_email: str
    password: str

    @property
    def name(self) -> str:
        return self.tenant.name  # type: ignore[attr-defined]

    @property
    def schema(self) -> str:
        return self.tenant.schema_name  # type: ignore[attr-defined]

    @property
    def prefix(self) -> str:
        return f"/t/{self.name}"

    def url(self, path: str = "/") -> str:
        return self.prefix + path

    def context(self):
        from django_tenants.utils import schema_context

        return schema_context(self.schema)


def _ensure_tenant(name: str, display: str) -> TenantInfo:
    from tenants import services
    from tenants.models import Tenant

    existing = Tenant.objects.filter(name=name).first()
    if existing is None:
        existing = services.create_tenant(
            name=name,
            display_name=display,
            admin_email=f"admin@{name}.example",
            admin_password=PASSWORD,
            created_by="tests",
            use_pool=False,
        ).tenant
    return TenantInfo(existing, f"admin@{name}.example", PASSWORD)


def _delete_worker_keys() -> None:
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = cache.client.get_client()
    keys = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with no cache entries, rate-limit counters, codes, lockouts or
    sessions of this worker's prefix. Never FLUSHDB: other xdist workers (other prefixes)
    share the Redis database."""
    from ciam import generations

    _delete_worker_keys()
    # Process-local caches hold rows that the test transaction may roll back.
    generations.forget()
    generations.Cache.clear_all()
    yield
    _delete_worker_keys()


@pytest.fixture(scope="session", autouse=True)
def _outbound_to_local_peers():
    """The suite's peers (OIDC providers, JWKS servers) run on loopback over http."""
    from django.conf import settings

    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = True
    # The test client's host is a public URL of the platform (live servers add theirs).
    settings.CIAM_PUBLIC_URLS = ["http://testserver", "https://testserver"]


@pytest.fixture(scope="session")
def tenants_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from tenants import services

        services.ensure_template_schema()
        infos = (_ensure_tenant("testco", "Test Co"), _ensure_tenant("otherco", "Other Co"))
        connection.set_schema_to_public()
    return infos


@pytest.fixture
def tenant(tenants_setup, db) -> TenantInfo:
    connection.set_schema_to_public()
    yield tenants_setup[0]
    connection.set_schema_to_public()


@pytest.fixture
def other_tenant(tenants_setup, db) -> TenantInfo:
    return tenants_setup[1]


@pytest.fixture
def admin_client(tenant) -> Client:
    """A client signed in to `tenant`'s admin center as its Global Administrator."""
    client = Client()
    response = client.post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": tenant.password}
    )
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def make_admin(tenant):
    """Create an admin with the given roles in `tenant`; returns a signed-in client."""

    def make(*roles: str, email: str | None = None) -> Client:
        from directory import services

        email = email or f"{'-'.join(roles) or 'none'}@{tenant.name}.example"
        with tenant.context():
            services.create_admin(email=email, password=PASSWORD, roles=list(roles), actor="tests")
        client = Client()
        response = client.post(tenant.url("/admin/signin/"), {"email": email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


@pytest.fixture(scope="session")
def _ciam_live_server(tenants_setup, django_db_blocker):
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    port = server.url.rsplit(":", 1)[1]
    settings.CIAM_PUBLIC_URLS = [
        *settings.CIAM_PUBLIC_URLS,
        server.url,
        f"http://127.0.0.1:{port}",
    ]
    yield server
    server.stop()
    # Request threads of the server may leave connections behind; end them so that the
    # test database can be dropped.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def live_url(_ciam_live_server, django_db_blocker) -> str:
    """Base URL of a real HTTP server running the platform on the test database.

    Not pytest-django's `live_server`: that one forces `transactional_db`, whose flush
    would wipe the session's tenants. Data made here is committed; tests clean up what
    they create. The database is unblocked for the server thread while the test runs."""
    with django_db_blocker.unblock():
        yield _ciam_live_server.url
