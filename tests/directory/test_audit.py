"""Every admin change lands in the tenant's audit log: who, what, before/after, when, IP."""

from directory.models import AuditEvent, User


def test_adding_an_admin_is_audited(admin_client, tenant):
    # when
    response = admin_client.post(
        tenant.url("/admin/admins/"),
        {
            "email": "new.admin@testco.example",
            "display_name": "New Admin",
            "roles": ["user_administrator", "insights_reader"],
        },
        REMOTE_ADDR="203.0.113.7",
    )
    # then
    assert response.status_code == 200
    assert b"Temporary password" in response.content
    with tenant.context():
        event = AuditEvent.objects.get(action="admin.create", target="new.admin@testco.example")
        assert event.actor == tenant.admin_email
        assert event.actor_id == User.objects.get(email=tenant.admin_email).pk
        assert event.ip_address == "203.0.113.7"
        assert event.before is None
        assert event.after["roles"] == ["insights_reader", "user_administrator"]
        assert "password" not in event.after


def test_role_change_records_before_and_after(admin_client, tenant):
    with tenant.context():
        from directory import services

        user, _ = services.create_admin(
            email="roles@testco.example", password=None, roles=["insights_reader"], actor="tests"
        )
    admin_client.post(
        tenant.url(f"/admin/admins/{user.pk}/"), {"roles": ["branding_administrator"]}
    )
    with tenant.context():
        event = AuditEvent.objects.get(action="admin.roles.update", target_id=str(user.pk))
        assert event.before == {"roles": ["insights_reader"]}
        assert event.after == {"roles": ["branding_administrator"]}


def test_settings_change_is_audited(admin_client, tenant):
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "settings", "require_admin_mfa": "on"}
    )
    with tenant.context():
        event = AuditEvent.objects.get(action="settings.update")
        assert event.before == {"require_admin_mfa": False}
        assert event.after == {"require_admin_mfa": True}


def test_removing_an_admin_is_audited(admin_client, tenant):
    with tenant.context():
        from directory import services

        user, _ = services.create_admin(
            email="leaver@testco.example", password=None, roles=["insights_reader"], actor="tests"
        )
    admin_client.post(tenant.url(f"/admin/admins/{user.pk}/"), {"action": "remove"})
    with tenant.context():
        assert not User.objects.filter(pk=user.pk).exists()
        event = AuditEvent.objects.get(action="admin.delete")
        assert event.target == "leaver@testco.example"
        assert event.before["roles"] == ["insights_reader"]


def test_audit_page_filters_by_action_and_actor(admin_client, tenant):
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "settings", "require_admin_mfa": ""}
    )
    admin_client.post(
        tenant.url("/admin/admins/"), {"email": "x@testco.example", "roles": ["insights_reader"]}
    )
    body = admin_client.get(tenant.url("/admin/audit/?action=settings.")).content.decode()
    assert "settings.update" in body and "admin.create" not in body
    body = admin_client.get(tenant.url("/admin/audit/?actor=nobody-like-this")).content.decode()
    assert "No audit events match" in body


def test_audit_page_paginates_with_a_cursor(admin_client, tenant):
    with tenant.context():
        AuditEvent.objects.bulk_create(
            AuditEvent(action=f"bulk.{i:03d}", actor="tests") for i in range(120)
        )
    first = admin_client.get(tenant.url("/admin/audit/?action=bulk.")).content.decode()
    assert first.count("bulk.") >= 50 and "Older events" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = admin_client.get(tenant.url(f"/admin/audit/?action=bulk.&cursor={cursor}"))
    assert second.status_code == 200
    third_cursor = second.content.decode().split("cursor=")[1].split('"')[0]
    third = admin_client.get(tenant.url(f"/admin/audit/?action=bulk.&cursor={third_cursor}"))
    assert "Older events" not in third.content.decode()


def test_malformed_audit_filters_do_not_fail(admin_client, tenant):
    response = admin_client.get(tenant.url("/admin/audit/?since=not-a-date&cursor=%%%"))
    assert response.status_code == 200
