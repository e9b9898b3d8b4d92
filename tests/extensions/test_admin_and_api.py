"""Admin center pages (register, edit, enable/disable, test with a sample event, call
log, delete; who may) and the management API for extensions."""

from __future__ import annotations

import re

import pytest

from directory.models import AuditEvent
from extensions.models import CallLog, CustomAuthenticationExtension
from tests.directory.conftest import ApiClient, issue_token

from .api_server import claims_answer


def _form(ext_url: str, **changes) -> dict:
    data = {
        "name": "Loyalty claims",
        "target_url": ext_url,
        "app_id_uri": "",
        "events": ["OnTokenIssuanceStart"],
        "allowed_claims": "loyaltyTier, promoCodes",
        "timeout_ms": "800",
        "max_retries": "1",
        "on_failure": "continue",
        "is_enabled": "on",
    }
    data.update(changes)
    return data


def test_admin_registers_tests_and_reads_the_call_log(tenant, admin_client, ext_api):
    # given
    ext_api.answer = claims_answer({"loyaltyTier": "gold"})

    # when: register
    response = admin_client.post(tenant.url("/admin/extensions/new/"), _form(ext_api.url))

    # then
    assert response.status_code == 302, response.content[:2000]
    with tenant.context():
        ext = CustomAuthenticationExtension.objects.get(name="Loyalty claims")
        assert ext.allowed_claims == ["loyaltyTier", "promoCodes"]
        assert ext.timeout_ms == 800 and ext.max_retries == 1 and ext.on_failure == "continue"
        assert AuditEvent.objects.filter(action="extension.create", target_id=str(ext.pk)).exists()
    listing = admin_client.get(tenant.url("/admin/extensions/")).content.decode()
    assert "Loyalty claims" in listing and "closed" in listing

    # when: test with a sample event
    page = admin_client.post(
        tenant.url(f"/admin/extensions/{ext.pk}/test/"), {"event": "OnTokenIssuanceStart"}
    )

    # then: the exact request, the answer, latency and verdict
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        'id="test-verdict"' in text and "Valid answer: action <code>provide_claims</code>" in text
    )
    assert "microsoft.graph.onTokenIssuanceStartCalloutData" in text
    assert "Bearer &lt;signed JWT&gt;" in text
    assert "loyaltyTier" in text
    assert re.search(r'id="test-latency">[0-9.]+ ms<', text)
    sent = ext_api.last()
    assert sent.body["data"]["customAuthenticationExtensionId"] == str(ext.pk)
    with tenant.context():
        [call] = CallLog.objects.filter(extension=ext)
        assert call.is_test and call.outcome == "success" and call.http_status == 200
    detail = admin_client.get(tenant.url(f"/admin/extensions/{ext.pk}/")).content.decode()
    assert call.correlation_id in detail and "(test)" in detail


def test_a_failed_test_shows_why(tenant, admin_client, ext_api):
    from .api_server import Answer

    ext_api.answer = Answer(raw=b"<html>oops</html>", content_type="text/html")
    admin_client.post(tenant.url("/admin/extensions/new/"), _form(ext_api.url))
    with tenant.context():
        ext = CustomAuthenticationExtension.objects.get()

    text = admin_client.post(
        tenant.url(f"/admin/extensions/{ext.pk}/test/"), {"event": "OnTokenIssuanceStart"}
    ).content.decode()

    assert "Failed: The answer&#x27;s content type is &#x27;text/html&#x27;" in text
    assert "&lt;html&gt;oops&lt;/html&gt;" in text


def test_edit_disable_and_delete_are_audited(tenant, admin_client, ext_api):
    admin_client.post(tenant.url("/admin/extensions/new/"), _form(ext_api.url))
    with tenant.context():
        ext = CustomAuthenticationExtension.objects.get()
    base = f"/admin/extensions/{ext.pk}"

    edited = admin_client.post(tenant.url(f"{base}/edit/"), _form(ext_api.url, timeout_ms="3000"))
    assert edited.status_code == 200
    assert b"Ensure this value is less than or equal to 2000." in edited.content
    assert admin_client.post(tenant.url(f"{base}/edit/"), _form(ext_api.url, name="Renamed"))[
        "Location"
    ].endswith(f"{base}/")
    admin_client.post(tenant.url(f"{base}/enabled/"), {"enabled": "0"})
    with tenant.context():
        ext.refresh_from_db()
        assert ext.name == "Renamed" and ext.is_enabled is False
    admin_client.post(tenant.url(f"{base}/delete/"))
    with tenant.context():
        assert not CustomAuthenticationExtension.objects.exists()
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"extension.update", "extension.disable", "extension.delete"} <= actions


def test_only_admins_with_the_extension_permission_may_write(tenant, make_admin, ext_api):
    flows = make_admin("user_flow_administrator")
    branding = make_admin("branding_administrator")

    assert flows.get(tenant.url("/admin/extensions/new/")).status_code == 200
    assert branding.get(tenant.url("/admin/extensions/")).status_code == 403
    assert (
        branding.post(tenant.url("/admin/extensions/new/"), _form(ext_api.url)).status_code == 403
    )
    with tenant.context():
        assert not CustomAuthenticationExtension.objects.exists()


# -- management API ------------------------------------------------------------------------
@pytest.fixture
def ext_api_client(tenant):
    return ApiClient(tenant, issue_token(tenant, ("CustomAuthenticationExtension.ReadWrite.All",)))


def test_api_creates_reads_updates_and_deletes(tenant, ext_api_client, settings):
    body = {
        "name": "Via API",
        "target_url": "http://127.0.0.1:9/ext",
        "events": ["OnAttributeCollectionSubmit"],
        "on_failure": "continue",
    }

    created = ext_api_client.post("/extensions/", body)

    assert created.status_code == 201, created.content
    ext_id = created.json()["id"]
    assert created.json()["timeout_ms"] == 1000
    assert ext_api_client.get(f"/extensions/{ext_id}/").json()["name"] == "Via API"
    patched = ext_api_client.patch(f"/extensions/{ext_id}/", {"is_enabled": False})
    assert patched.status_code == 200 and patched.json()["is_enabled"] is False
    bad = ext_api_client.patch(f"/extensions/{ext_id}/", {"timeout_ms": 5000})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_failed"
    assert ext_api_client.delete(f"/extensions/{ext_id}/").status_code == 204
    assert ext_api_client.get(f"/extensions/{ext_id}/").status_code == 404
    with tenant.context():
        assert AuditEvent.objects.filter(action__startswith="extension.").count() == 3


def test_api_refuses_private_targets_in_production(tenant, ext_api_client, settings):
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = False
    response = ext_api_client.post(
        "/extensions/",
        {"name": "x", "target_url": "https://10.0.0.5/ext", "events": ["OnOtpSend"]},
    )
    assert response.status_code == 400
    assert "target_url" in response.json()["error"]["fields"]


def test_api_needs_the_extension_permission(tenant):
    client = ApiClient(tenant, issue_token(tenant, ("User.ReadWrite.All",)))
    assert client.get("/extensions/").status_code == 403


def test_api_sets_the_migration_mark_on_users(tenant):
    client = ApiClient(tenant, issue_token(tenant, ("User.ReadWrite.All",)))
    created = client.post(
        "/users/", {"email": "jit@example.com", "password_migration_pending": True}
    )
    assert created.status_code == 201, created.content
    assert created.json()["password_migration_pending"] is True
    user_id = created.json()["id"]
    cleared = client.patch(f"/users/{user_id}/", {"password_migration_pending": False})
    assert cleared.json()["password_migration_pending"] is False
