"""A request reaches exactly one tenant, by path, subdomain or verified custom domain;
everything else is a plain 404."""

import pytest
from django.test import Client

from tenants.models import Domain


def test_tenant_by_path_prefix_redirects_to_admin_center(tenant):
    response = Client().get(tenant.url("/"))
    assert response.status_code == 302
    assert response["Location"] == tenant.url("/admin/")


def test_path_without_trailing_slash_redirects(tenant):
    response = Client().get(tenant.prefix)
    assert response.status_code == 302
    assert response["Location"] == tenant.prefix + "/"


def test_tenant_by_subdomain(tenant):
    response = Client().get("/admin/signin/", HTTP_HOST=f"{tenant.name}.localhost:8000")
    assert response.status_code == 200
    assert b"Test Co" in response.content


def test_custom_domain_answers_only_when_verified(tenant):
    # given
    domain = Domain.objects.create(
        domain="login.testco.example",
        tenant=tenant.tenant,
        is_primary=False,
        kind=Domain.Kind.CUSTOM,
    )
    # then an unverified domain is unknown
    assert Client().get("/admin/signin/", HTTP_HOST="login.testco.example").status_code == 404
    # when verified
    domain.is_verified = True
    domain.save()
    response = Client().get("/admin/signin/", HTTP_HOST="login.testco.example")
    assert response.status_code == 200
    assert b"Test Co" in response.content


@pytest.mark.parametrize(
    "url,host",
    [
        ("/t/nosuchtenant/admin/", "localhost"),
        ("/t/NoSuch/admin/", "localhost"),
        ("/admin/", "nosuchtenant.localhost"),
        ("/admin/", "evil.example.com"),
        ("/t/../admin/", "localhost"),
    ],
)
def test_unknown_tenant_is_a_plain_404_that_leaks_nothing(db, tenants_setup, url, host):
    response = Client().get(url, HTTP_HOST=host)
    assert response.status_code == 404
    assert response.content == b"Not found\n"
    assert response["Content-Type"].startswith("text/plain")


def test_unknown_and_deleted_tenants_answer_identically(tenant):
    from tenants import services

    other = services.create_tenant(
        name="gone-soon",
        display_name="Gone",
        admin_email="a@gone.example",
        admin_password=None,
        use_pool=False,
    ).tenant
    assert Client().get("/t/gone-soon/admin/signin/").status_code == 200
    services.soft_delete_tenant(other)
    deleted = Client().get("/t/gone-soon/admin/signin/")
    unknown = Client().get("/t/never-was/admin/signin/")
    assert (deleted.status_code, deleted.content) == (unknown.status_code, unknown.content)
    assert Client().get("/admin/signin/", HTTP_HOST="gone-soon.localhost").status_code == 404


def test_healthz_answers_on_any_host(db):
    assert Client().get("/healthz", HTTP_HOST="whatever.example").json() == {"status": "ok"}


def test_readyz_checks_database_redis_and_migrations(db):
    body = Client().get("/readyz").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "migrations": "ok"}}


def test_platform_portal_is_on_the_shared_host_only(tenant):
    assert Client().get("/portal/signin/").status_code == 200
    # The portal is not part of a tenant's URL space.
    assert Client().get(tenant.url("/portal/signin/")).status_code == 404
