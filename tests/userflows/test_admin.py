"""Admin center: User flows section, identity providers and password policy — role
checked and audited; secrets encrypted."""

from __future__ import annotations

import pytest

from directory.models import AuditEvent
from userflows.models import FlowAttribute, IdentityProvider, UserFlow, UserFlowApplication

pytestmark = pytest.mark.django_db


def _flow_data(**extra):
    data = {
        "name": "Shop flow",
        "password_enabled": "on",
        "email_code_enabled": "on",
        "signup_enabled": "on",
        "mfa_policy": "risky",
    }
    data.update(extra)
    return data


def _app(tenant, name="Shop"):
    from applications.models import Application

    with tenant.context():
        return Application.objects.create(
            name=name,
            client_type="public",
            authorization_grant_type="authorization-code",
            redirect_uris="https://app.example/cb",
        )


def test_create_edit_and_delete_a_flow_is_audited(tenant, admin_client):
    app = _app(tenant)
    r = admin_client.post(
        tenant.url("/admin/userflows/new/"), _flow_data(applications=[str(app.pk)])
    )
    assert r.status_code == 302
    with tenant.context():
        flow = UserFlow.objects.get(name="Shop flow")
        assert flow.mfa_policy == "risky"
        assert UserFlowApplication.objects.get(application=app).flow == flow
        assert AuditEvent.objects.filter(action="userflow.create", target_id=str(flow.pk)).exists()
    r = admin_client.post(
        tenant.url(f"/admin/userflows/{flow.pk}/"), _flow_data(name="Shop flow 2", mfa_policy="off")
    )
    assert r.status_code == 302
    with tenant.context():
        event = AuditEvent.objects.get(action="userflow.update")
        assert event.before["name"] == "Shop flow"
        assert event.after["name"] == "Shop flow 2"
        assert not UserFlowApplication.objects.filter(application=app).exists()
    r = admin_client.post(tenant.url(f"/admin/userflows/{flow.pk}/delete/"))
    assert r.status_code == 302
    with tenant.context():
        assert not UserFlow.objects.filter(pk=flow.pk).exists()
        assert AuditEvent.objects.filter(action="userflow.delete").exists()


def test_an_app_moves_to_the_flow_it_is_linked_to(tenant, admin_client):
    app = _app(tenant)
    for name in ("First", "Second"):
        admin_client.post(
            tenant.url("/admin/userflows/new/"), _flow_data(name=name, applications=[str(app.pk)])
        )
    with tenant.context():
        assert UserFlowApplication.objects.get(application=app).flow.name == "Second"


def test_flow_without_any_signin_method_is_refused_beside_the_field(tenant, admin_client):
    r = admin_client.post(
        tenant.url("/admin/userflows/new/"), {"name": "None", "mfa_policy": "off"}
    )
    assert r.status_code == 200
    assert "Enable at least one sign-in method." in str(r.context["form"].errors)


def test_duplicate_flow_name_is_refused(tenant, admin_client):
    admin_client.post(tenant.url("/admin/userflows/new/"), _flow_data())
    r = admin_client.post(tenant.url("/admin/userflows/new/"), _flow_data())
    assert r.status_code == 200
    assert "already exists" in str(r.context["form"].errors["name"])


def test_default_flow_cannot_be_deleted(tenant, admin_client, default_flow):
    r = admin_client.post(tenant.url(f"/admin/userflows/{default_flow.pk}/delete/"))
    assert r.status_code == 302
    with tenant.context():
        assert UserFlow.objects.filter(pk=default_flow.pk).exists()


def test_attributes_are_added_validated_and_removed(tenant, admin_client, default_flow):
    from directory.models import CustomAttribute

    with tenant.context():
        CustomAttribute.objects.create(name="plan", data_type="string", label="Plan")
    url = tenant.url(f"/admin/userflows/{default_flow.pk}/attributes/new/")
    # a radio button list needs choices
    r = admin_client.post(url, {"attribute": "plan", "input_type": "radio", "order": 1})
    assert r.status_code == 200
    assert "at least two choices" in str(r.context["form"].errors)
    # built-in attributes are text boxes
    r = admin_client.post(url, {"attribute": "city", "input_type": "radio", "order": 1})
    assert "text box" in str(r.context["form"].errors)
    r = admin_client.post(
        url,
        {
            "attribute": "plan",
            "input_type": "radio",
            "choices": "Free\nPro",
            "required": "on",
            "order": 1,
        },
    )
    assert r.status_code == 302
    with tenant.context():
        attribute = FlowAttribute.objects.get(flow=default_flow, attribute="plan")
        assert attribute.choices == ["Free", "Pro"]
        assert attribute.label == "Plan"
    r = admin_client.post(
        tenant.url(f"/admin/userflows/{default_flow.pk}/attributes/{attribute.pk}/"),
        {"action": "delete"},
    )
    assert r.status_code == 302
    with tenant.context():
        assert not FlowAttribute.objects.filter(pk=attribute.pk).exists()
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"userflow.attribute.create", "userflow.attribute.delete"} <= actions


def test_google_provider_secret_is_encrypted_and_kept_when_left_empty(tenant, admin_client):
    url = tenant.url("/admin/userflows/providers/new/?kind=google")
    r = admin_client.post(
        url, {"name": "Google", "client_id": "g-id", "client_secret": "g-secret", "scopes": ""}
    )
    assert r.status_code == 302
    with tenant.context():
        provider = IdentityProvider.objects.get(kind="google")
        assert "g-secret" not in provider.client_secret_encrypted
        from ciam.crypto import decrypt

        assert decrypt(provider.client_secret_encrypted) == "g-secret"
        event = AuditEvent.objects.get(action="identity_provider.create")
        assert "g-secret" not in str(event.after)
    r = admin_client.post(
        tenant.url(f"/admin/userflows/providers/{provider.pk}/"),
        {"name": "Google", "client_id": "g-id-2", "client_secret": "", "scopes": ""},
    )
    assert r.status_code == 302
    with tenant.context():
        provider.refresh_from_db()
        assert provider.client_id == "g-id-2"
        assert decrypt(provider.client_secret_encrypted) == "g-secret"


def test_oidc_provider_with_unreachable_issuer_is_refused(tenant, admin_client):
    url = tenant.url("/admin/userflows/providers/new/?kind=openid_connect")
    r = admin_client.post(
        url,
        {
            "name": "Partner",
            "slug": "partner",
            "client_id": "c",
            "client_secret": "s",
            "issuer": "http://127.0.0.1:9/nowhere",
            "scopes": "openid email",
        },
    )
    assert r.status_code == 200
    assert "Discovery failed" in str(r.context["form"].errors["issuer"])
    with tenant.context():
        assert not IdentityProvider.objects.exists()


def test_password_policy_is_audited(tenant, admin_client):
    r = admin_client.post(
        tenant.url("/admin/userflows/password-policy/"), {"min_length": 12, "reject_common": "on"}
    )
    assert r.status_code == 302
    with tenant.context():
        assert AuditEvent.objects.get(action="password_policy.update").after["min_length"] == 12


def test_readers_see_flows_but_cannot_change_them(tenant, make_admin, default_flow):
    client = make_admin("application_administrator")
    assert client.get(tenant.url("/admin/userflows/")).status_code == 200
    assert client.get(tenant.url("/admin/userflows/new/")).status_code == 403
    r = client.post(tenant.url(f"/admin/userflows/{default_flow.pk}/"), _flow_data())
    assert r.status_code == 403
    assert client.post(tenant.url("/admin/userflows/password-policy/"), {}).status_code == 403


def test_roles_without_userflows_are_forbidden(tenant, make_admin):
    client = make_admin("branding_administrator")
    assert client.get(tenant.url("/admin/userflows/")).status_code == 403


def test_customers_cannot_reach_the_admin_pages(tenant, make_customer):
    from django.test import Client

    make_customer()
    client = Client()
    client.post(
        tenant.url("/account/login/"),
        {"login": "ada@example.com", "password": "Tangerine-Lighthouse-42"},
    )
    r = client.get(tenant.url("/admin/userflows/"))
    assert r.status_code == 302
    assert "/admin/signin/" in r["Location"]


def test_flows_of_one_tenant_are_invisible_to_another(tenant, other_tenant, admin_client):
    with other_tenant.context():
        other = UserFlow.objects.create(name="Other secret flow")
    page = admin_client.get(tenant.url("/admin/userflows/"))
    assert b"Other secret flow" not in page.content
    assert admin_client.get(tenant.url(f"/admin/userflows/{other.pk}/")).status_code == 404


def test_oidc_provider_setup_runs_discovery(tenant, admin_client, oidc_provider):
    url = tenant.url("/admin/userflows/providers/new/?kind=openid_connect")
    data = {
        "name": "Partner",
        "slug": "partner",
        "client_id": "c",
        "client_secret": "s",
        "issuer": oidc_provider.issuer,
        "scopes": "openid email",
        "claim_mapping": "family_name=surname",
    }
    r = admin_client.post(url, data)
    assert r.status_code == 302
    with tenant.context():
        provider = IdentityProvider.objects.get(slug="partner")
        assert provider.claim_mapping == {"family_name": "surname"}
    # an issuer whose discovery names another issuer is refused
    bad = dict(data, slug="other", issuer=oidc_provider.issuer + "/x")
    r = admin_client.post(url, bad)
    assert r.status_code == 200
    assert "issuer" in r.context["form"].errors


def test_bad_claim_mapping_is_refused_beside_the_field(tenant, admin_client):
    url = tenant.url("/admin/userflows/providers/new/?kind=openid_connect")
    r = admin_client.post(
        url,
        {"name": "P", "slug": "p", "client_id": "c", "client_secret": "s",
         "issuer": "http://127.0.0.1:9/x", "claim_mapping": "nonsense"},
    )  # fmt: skip
    assert r.status_code == 200
    assert "claim=attribute" in str(r.context["form"].errors["claim_mapping"])
