"""Admin center: groups, custom attributes, SCIM tokens and API permissions, admins."""

from __future__ import annotations

import pytest

from applications import management_api
from applications.models import ApiPermission
from directory import services_access
from directory.models import (
    AuditEvent,
    CustomAttribute,
    Group,
    GroupMembership,
    RoleAssignment,
    ScimToken,
    User,
)

pytestmark = pytest.mark.django_db


def test_create_rename_add_remove_member_delete_group(admin_client, tenant, make_customer):
    user = make_customer("member@example.com")
    created = admin_client.post(tenant.url("/admin/groups/"), {"display_name": "Beta"})
    assert created.status_code == 302
    with tenant.context():
        group = Group.objects.get(display_name="Beta")
    url = tenant.url(f"/admin/groups/{group.pk}/")
    admin_client.post(url, {"action": "add", "email": "MEMBER@example.com"})
    admin_client.post(url, {"action": "rename", "display_name": "Beta testers", "description": "d"})
    page = admin_client.get(url)
    assert b"member@example.com" in page.content and b"Beta testers" in page.content
    admin_client.post(url, {"action": "remove", "user_id": str(user.pk)})
    with tenant.context():
        assert not GroupMembership.objects.filter(group=group).exists()
    admin_client.post(url, {"action": "delete"})
    with tenant.context():
        assert not Group.objects.filter(pk=group.pk).exists()
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "group.create",
        "group.update",
        "group.members.add",
        "group.members.remove",
        "group.delete",
    } <= actions


def test_duplicate_group_name_and_unknown_member_show_errors(admin_client, tenant):
    admin_client.post(tenant.url("/admin/groups/"), {"display_name": "Ops"})
    dup = admin_client.post(tenant.url("/admin/groups/"), {"display_name": "OPS"})
    assert b"already exists" in dup.content
    with tenant.context():
        group = Group.objects.get()
    missing = admin_client.post(
        tenant.url(f"/admin/groups/{group.pk}/"), {"action": "add", "email": "ghost@example.com"}
    )
    assert b"No user has this email" in missing.content


def test_group_of_another_tenant_is_404(admin_client, tenant, other_tenant):
    from directory import services_groups

    with other_tenant.context():
        group = services_groups.create_group(display_name="Theirs", actor="t")
    assert admin_client.get(tenant.url(f"/admin/groups/{group.pk}/")).status_code == 404
    assert (
        admin_client.post(
            tenant.url(f"/admin/groups/{group.pk}/"), {"action": "delete"}
        ).status_code
        == 404
    )
    with other_tenant.context():
        assert Group.objects.filter(pk=group.pk).exists()


def test_group_reader_cannot_change_groups(tenant, make_admin):
    reader = make_admin("insights_reader")
    assert reader.get(tenant.url("/admin/groups/")).status_code == 403
    app_admin = make_admin("application_administrator")
    assert app_admin.post(tenant.url("/admin/groups/"), {"display_name": "X"}).status_code == 403


def test_custom_attribute_create_edit_delete(admin_client, tenant, make_customer):
    admin_client.post(
        tenant.url("/admin/attributes/"),
        {"name": "loyalty", "data_type": "integer", "label": "Loyalty", "description": ""},
    )
    with tenant.context():
        attribute = CustomAttribute.objects.get(name="loyalty")
    user = make_customer("attr@example.com", custom_attributes={"loyalty": 3})
    admin_client.post(tenant.url(f"/admin/attributes/{attribute.pk}/"), {"label": "Loyalty points"})
    dup = admin_client.post(
        tenant.url("/admin/attributes/"), {"name": "loyalty", "data_type": "string", "label": "x"}
    )
    assert b"already exists" in dup.content
    admin_client.post(tenant.url(f"/admin/attributes/{attribute.pk}/delete/"))
    with tenant.context():
        assert not CustomAttribute.objects.exists()
        assert User.objects.get(pk=user.pk).custom_attributes == {}
        assert AuditEvent.objects.filter(action="attribute.delete").exists()


def test_attribute_of_another_tenant_is_404(admin_client, tenant, other_tenant):
    from directory import services_groups

    with other_tenant.context():
        attribute = services_groups.create_attribute(
            name="x", data_type="string", label="X", actor="t"
        )
    assert admin_client.get(tenant.url(f"/admin/attributes/{attribute.pk}/")).status_code == 404


def test_scim_token_created_once_and_revoked(admin_client, tenant):
    page = admin_client.post(
        tenant.url("/admin/users/access/"), {"action": "token", "name": "Workday"}
    )
    assert b'id="new-token"' in page.content
    token = page.content.decode().split('id="new-token">')[1].split("<")[0]
    assert token.startswith("scim_")
    assert token.encode() not in admin_client.get(tenant.url("/admin/users/access/")).content
    with tenant.context():
        row = ScimToken.objects.get()
        assert services_access.authenticate_scim_token(token) == row
    admin_client.post(tenant.url(f"/admin/users/access/tokens/{row.pk}/revoke/"))
    with tenant.context():
        assert services_access.authenticate_scim_token(token) is None
        assert AuditEvent.objects.filter(action="scim_token.revoke").exists()


def test_grant_and_revoke_api_permission_to_daemon_app(admin_client, tenant):
    from applications.models import Application

    with tenant.context():
        daemon = Application.objects.create(
            name="sync", client_type="confidential", authorization_grant_type="client-credentials"
        )
        web = Application.objects.create(
            name="web",
            client_type="confidential",
            authorization_grant_type="authorization-code",
            redirect_uris="https://x.example/cb",
        )
    url = tenant.url("/admin/users/access/")
    admin_client.post(
        url, {"action": "grant", "client_id": daemon.client_id, "permission": "User.Read.All"}
    )
    refused = admin_client.post(
        url, {"action": "grant", "client_id": web.client_id, "permission": "User.Read.All"}
    )
    assert b"Only daemon apps" in refused.content
    with tenant.context():
        grant = ApiPermission.objects.get()
        assert management_api.granted_api_permissions(daemon.client_id) == {"User.Read.All"}
    admin_client.post(tenant.url(f"/admin/users/access/grants/{grant.pk}/revoke/"))
    with tenant.context():
        assert not ApiPermission.objects.exists()


def test_invite_admin_assign_roles_and_remove(admin_client, tenant):
    created = admin_client.post(
        tenant.url("/admin/admins/"),
        {
            "email": "helper@testco.example",
            "display_name": "Helper",
            "roles": ["user_administrator"],
        },
    )
    assert b"temp-password" in created.content
    with tenant.context():
        helper = User.objects.get(email="helper@testco.example")
    admin_client.post(tenant.url(f"/admin/admins/{helper.pk}/"), {"roles": ["insights_reader"]})
    with tenant.context():
        assert list(RoleAssignment.objects.filter(user=helper).values_list("role", flat=True)) == [
            "insights_reader"
        ]
    admin_client.post(tenant.url(f"/admin/admins/{helper.pk}/"), {"action": "remove"})
    with tenant.context():
        assert not User.objects.filter(pk=helper.pk).exists()


def test_admin_accounts_are_not_managed_as_customers(admin_client, tenant):
    with tenant.context():
        admin = User.objects.get(email=tenant.admin_email)
    assert admin_client.get(tenant.url(f"/admin/users/{admin.pk}/")).status_code == 404
