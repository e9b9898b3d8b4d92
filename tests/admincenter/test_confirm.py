"""Every destructive admin action asks first: a GET on its URL renders the shared
confirmation page (what goes, what stops working, Cancel, a plain POST form) and changes
nothing; the POST from that page performs the action."""

from __future__ import annotations

import re

import pytest

from applications.models import Application, ClientSecret
from directory.models import CustomAttribute, User
from extensions.models import CustomAuthenticationExtension
from tenants.models import Domain
from userflows.models import UserFlow

pytestmark = pytest.mark.django_db


def _confirm(admin_client, url: str) -> str:
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "This cannot be undone." in html
    assert 'id="confirm-cancel"' in html
    assert '<form method="post" id="confirm-form">' in html  # posts back to this URL
    return html


def _post_form(admin_client, url: str, html: str):
    """Submit the confirmation page's form as a browser without scripts would."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    return admin_client.post(url, fields)


def test_app_registration_delete_asks_and_says_what_is_lost(tenant, admin_client, make_app):
    app = make_app()
    url = tenant.url(f"/admin/apps/{app.pk}/delete/")
    detail = admin_client.get(tenant.url(f"/admin/apps/{app.pk}/")).content.decode()
    assert f'href="{url}"' in detail  # a link to the confirmation, not a one-click form
    html = _confirm(admin_client, url)
    assert f"Delete the app registration &#x27;{app.name}&#x27;?" in html
    assert "client secrets, permission grants" in html
    assert f'href="{tenant.url(f"/admin/apps/{app.pk}/")}"' in html
    with tenant.context():
        assert Application.objects.filter(pk=app.pk).exists()
    assert _post_form(admin_client, url, html).status_code == 302
    with tenant.context():
        assert not Application.objects.filter(pk=app.pk).exists()


def test_secret_revoke_asks_first(tenant, admin_client, make_app):
    app = make_app()
    admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/secrets/"),
        {"description": "ci", "expires_in_days": "180"},
    )
    with tenant.context():
        secret = ClientSecret.objects.filter(application=app, revoked_at=None).latest("created_at")
    url = tenant.url(f"/admin/apps/{app.pk}/secrets/{secret.pk}/revoke/")
    html = _confirm(admin_client, url)
    assert "can no longer get tokens" in html
    with tenant.context():
        secret.refresh_from_db()
        assert secret.revoked_at is None
    _post_form(admin_client, url, html)
    with tenant.context():
        secret.refresh_from_db()
        assert secret.revoked_at is not None


def test_user_delete_asks_first(tenant, admin_client, make_customer):
    user = make_customer("gone@example.com")
    url = tenant.url(f"/admin/users/{user.pk}/delete/")
    html = _confirm(admin_client, url)
    assert "Delete the user &#x27;gone@example.com&#x27;?" in html
    assert "can no longer sign in" in html
    _post_form(admin_client, url, html)
    with tenant.context():
        assert not User.objects.filter(pk=user.pk).exists()


def test_user_flow_delete_asks_first(tenant, admin_client):
    admin_client.post(
        tenant.url("/admin/userflows/new/"),
        {
            "name": "Doomed flow",
            "password_enabled": "on",
            "signup_enabled": "on",
            "mfa_policy": "off",
        },
    )
    with tenant.context():
        flow = UserFlow.objects.get(name="Doomed flow")
    flow_page = admin_client.get(tenant.url(f"/admin/userflows/{flow.pk}/")).content.decode()
    assert f'href="{tenant.url(f"/admin/userflows/{flow.pk}/delete/")}"' in flow_page
    url = tenant.url(f"/admin/userflows/{flow.pk}/delete/")
    html = _confirm(admin_client, url)
    assert "fall back to the default user flow" in html
    _post_form(admin_client, url, html)
    with tenant.context():
        assert not UserFlow.objects.filter(pk=flow.pk).exists()


def test_custom_attribute_delete_asks_first(tenant, admin_client):
    admin_client.post(
        tenant.url("/admin/attributes/"), {"name": "shoe", "data_type": "string", "label": "Shoe"}
    )
    with tenant.context():
        attribute = CustomAttribute.objects.get(name="shoe")
    url = tenant.url(f"/admin/attributes/{attribute.pk}/delete/")
    html = _confirm(admin_client, url)
    assert "stored value for it is lost" in html
    _post_form(admin_client, url, html)
    with tenant.context():
        assert not CustomAttribute.objects.filter(pk=attribute.pk).exists()


def test_extension_delete_asks_first(tenant, admin_client):
    from extensions import services

    with tenant.context():
        ext = services.create_extension(
            actor=None,
            name="Claims API",
            target_url="https://claims.example/api",
            events=["OnTokenIssuanceStart"],
        )
    url = tenant.url(f"/admin/extensions/{ext.pk}/delete/")
    html = _confirm(admin_client, url)
    assert "Delete the custom authentication extension &#x27;Claims API&#x27;?" in html
    _post_form(admin_client, url, html)
    with tenant.context():
        assert not CustomAuthenticationExtension.objects.filter(pk=ext.pk).exists()


def test_custom_domain_remove_asks_first(tenant, admin_client):
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "add_domain", "domain": "bye.example.org"}
    )
    domain = Domain.objects.get(domain="bye.example.org")
    settings_page = admin_client.get(tenant.url("/admin/settings/")).content.decode()
    assert f'href="?remove_domain={domain.pk}"' in settings_page
    url = tenant.url(f"/admin/settings/?remove_domain={domain.pk}")
    html = _confirm(admin_client, url)
    assert "Remove the custom domain &#x27;bye.example.org&#x27;?" in html
    assert Domain.objects.filter(pk=domain.pk).exists()
    _post_form(admin_client, url, html)
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_confirmation_needs_the_write_permission(tenant, make_admin, make_app):
    app = make_app()
    reader = make_admin("insights_reader")
    assert reader.get(tenant.url(f"/admin/apps/{app.pk}/delete/")).status_code == 403
    assert reader.get(tenant.url("/admin/settings/?remove_domain=1")).status_code == 403
