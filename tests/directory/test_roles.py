"""Every admin page checks the role: each role reaches what it may and nothing else."""

import pytest
from django.test import Client

from directory.roles import ROLE_PERMISSIONS, Role

PAGES = {
    "/admin/": "overview.read",
    "/admin/users/": "users.read",
    "/admin/groups/": "groups.read",
    "/admin/apps/": "apps.read",
    "/admin/userflows/": "userflows.read",
    "/admin/extensions/": "extensions.read",
    "/admin/branding/": "branding.read",
    "/admin/insights/": "insights.read",
    "/admin/keys/": "keys.read",
    "/admin/audit/": "audit.read",
    "/admin/settings/": "settings.read",
    "/admin/admins/": "admins.read",
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_exactly_its_pages(make_admin, tenant, role):
    client = make_admin(role)
    granted = ROLE_PERMISSIONS[role]
    for path, permission in PAGES.items():
        status = client.get(tenant.url(path)).status_code
        expected = 200 if permission in granted else 403
        assert status == expected, (role, path, status)


def test_signed_out_visitors_are_sent_to_sign_in(tenant):
    for path in PAGES:
        response = Client().get(tenant.url(path))
        assert response.status_code == 302
        assert response["Location"].startswith(tenant.url("/admin/signin/"))


def test_customers_cannot_use_the_admin_center(tenant):
    from directory.models import User

    with tenant.context():
        customer = User.objects.create_user("shopper@testco.example", "Shopper-Pass-2026")
    client = Client()
    with tenant.context():  # the session is stored under the tenant's cache prefix
        client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(tenant.url("/admin/"))
    assert response.status_code == 302
    # and the sign-in form refuses customer credentials like a wrong password
    response = Client().post(
        tenant.url("/admin/signin/"),
        {"email": "shopper@testco.example", "password": "Shopper-Pass-2026"},
    )
    assert b"incorrect" in response.content


def test_insights_reader_cannot_change_settings(make_admin, tenant):
    client = make_admin(Role.INSIGHTS_READER)
    response = client.post(tenant.url("/admin/settings/"), {"require_admin_mfa": "on"})
    assert response.status_code == 403


def test_user_administrator_sees_admins_but_cannot_add_one(make_admin, tenant):
    client = make_admin(Role.USER_ADMINISTRATOR)
    assert client.get(tenant.url("/admin/admins/")).status_code == 200
    response = client.post(
        tenant.url("/admin/admins/"),
        {"email": "sneaky@testco.example", "roles": ["global_administrator"]},
    )
    assert response.status_code == 403


def test_global_admin_cannot_remove_the_last_global_admin(admin_client, tenant):
    from directory.models import User

    with tenant.context():
        me = User.objects.get(email=tenant.admin_email)
    response = admin_client.post(tenant.url(f"/admin/admins/{me.pk}/"), {"action": "remove"})
    assert response.status_code == 200
    assert b"at least one active Global Administrator" in response.content
    response = admin_client.post(
        tenant.url(f"/admin/admins/{me.pk}/"), {"roles": ["insights_reader"]}
    )
    assert b"at least one active Global Administrator" in response.content


def test_blocked_admin_loses_access_at_once(make_admin, tenant):
    from directory.models import User

    client = make_admin(Role.BRANDING_ADMINISTRATOR, email="brand@testco.example")
    assert client.get(tenant.url("/admin/branding/")).status_code == 200
    with tenant.context():
        User.objects.filter(email="brand@testco.example").update(is_active=False)
    assert client.get(tenant.url("/admin/branding/")).status_code == 302
