"""Nothing crosses tenants: not sessions, not admin pages, not ids, by path or by host."""

from django.test import Client

from directory import services
from directory.models import User


def test_admin_session_of_one_tenant_is_worthless_in_another(admin_client, tenant, other_tenant):
    # given an admin signed in to testco
    assert admin_client.get(tenant.url("/admin/")).status_code == 200
    # when the same browser session goes to otherco by path or by host
    by_path = admin_client.get(other_tenant.url("/admin/"))
    by_host = admin_client.get("/admin/", HTTP_HOST=f"{other_tenant.name}.localhost")
    # then it is not signed in there
    assert by_path.status_code == 302 and "/signin/" in by_path["Location"]
    assert by_host.status_code == 302 and "/signin/" in by_host["Location"]


def test_session_cookie_is_scoped_to_the_tenant_path(tenant):
    client = Client()
    response = client.post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": tenant.password}
    )
    cookie = response.cookies["ciam_session"]
    assert cookie["path"] == f"/t/{tenant.name}/"
    assert cookie["httponly"]
    assert "sessionid" not in response.cookies


def test_admin_credentials_of_one_tenant_do_not_work_in_another(tenant, other_tenant):
    response = Client().post(
        other_tenant.url("/admin/signin/"),
        {"email": tenant.admin_email, "password": tenant.password},
    )
    assert response.status_code == 200
    assert b"incorrect" in response.content


def test_admin_ids_of_another_tenant_are_404(admin_client, tenant, other_tenant):
    with other_tenant.context():
        foreign = User.objects.get(email=other_tenant.admin_email)
    response = admin_client.get(tenant.url(f"/admin/admins/{foreign.pk}/"))
    assert response.status_code == 404


def test_admin_center_lists_only_own_admins(admin_client, tenant, other_tenant):
    body = admin_client.get(tenant.url("/admin/admins/")).content.decode()
    assert tenant.admin_email in body
    assert other_tenant.admin_email not in body


def test_audit_log_shows_only_own_events(admin_client, tenant, other_tenant):
    with other_tenant.context():
        services.create_admin(
            email="secret-hire@otherco.example",
            password=None,
            roles=["insights_reader"],
            actor="tests",
        )
    body = admin_client.get(tenant.url("/admin/audit/")).content.decode()
    assert "secret-hire" not in body


def test_cache_keys_are_prefixed_by_schema(tenant, other_tenant):
    from django.core.cache import cache

    with tenant.context():
        cache.set("probe", "testco-value")
    with other_tenant.context():
        assert cache.get("probe") is None
    with tenant.context():
        assert cache.get("probe") == "testco-value"
        cache.delete("probe")


def test_portal_session_does_not_sign_in_to_a_tenant(tenant):
    from directory.services import create_operator

    create_operator("op@platform.example", "Operator-Pass-2026")
    client = Client()
    assert (
        client.post(
            "/portal/signin/", {"email": "op@platform.example", "password": "Operator-Pass-2026"}
        ).status_code
        == 302
    )
    response = client.get(tenant.url("/admin/"))
    assert response.status_code == 302 and "/signin/" in response["Location"]
