"""Admin center: App registrations and Keys sections."""

from __future__ import annotations

import re

from applications.models import ApiPermission, Application, ClientSecret, SigningKey
from directory.models import AuditEvent


def test_register_a_web_app_shows_the_secret_once(tenant, admin_client):
    # when
    response = admin_client.post(
        tenant.url("/admin/apps/register/"),
        {"name": "Shop", "app_type": "web", "redirect_uris": "https://shop.example/cb"},
    )

    # then
    assert response.status_code == 302
    detail = admin_client.get(response["Location"])
    secret = re.search(rb'id="new-secret">([^<]+)<', detail.content).group(1).decode()
    assert len(secret) >= 43
    assert (
        b"quick-start" in detail.content and b"/.well-known/openid-configuration" in detail.content
    )
    again = admin_client.get(response["Location"])
    assert secret.encode() not in again.content
    with tenant.context():
        app = Application.objects.get(name="Shop")
        assert app.redirect_uris == "https://shop.example/cb"
        assert AuditEvent.objects.filter(
            action="application.create", target_id=str(app.pk)
        ).exists()
        assert AuditEvent.objects.filter(action="application.secret.add").exists()


def test_register_refuses_bad_redirect_uris_beside_the_field(tenant, admin_client):
    for uri, message in [
        ("http://shop.example/cb", b"use https"),
        ("https://*.shop.example/cb", b"wildcards"),
        ("https://shop.example/cb#frag", b"fragment"),
    ]:
        response = admin_client.post(
            tenant.url("/admin/apps/register/"),
            {"name": "Bad", "app_type": "web", "redirect_uris": uri},
        )
        assert response.status_code == 200
        assert message in response.content
    with tenant.context():
        assert not Application.objects.filter(name="Bad").exists()


def test_loopback_http_and_native_custom_schemes_are_allowed(tenant, admin_client):
    response = admin_client.post(
        tenant.url("/admin/apps/register/"),
        {
            "name": "Phone",
            "app_type": "native",
            "redirect_uris": "com.example.app:/oauth2redirect\nhttp://127.0.0.1/cb",
        },
    )
    assert response.status_code == 302
    with tenant.context():
        app = Application.objects.get(name="Phone")
        assert app.client_type == "public" and not app.secrets.exists()
        assert app.redirect_uri_allowed("http://127.0.0.1:51234/cb")
        assert not app.redirect_uri_allowed("http://127.0.0.1:51234/other")


def test_add_and_revoke_client_secrets(tenant, admin_client, make_app):
    app, _ = make_app("daemon")
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/secrets/"),
        {"description": "CI", "expires_in_days": "90"},
    )
    assert response.status_code == 302
    detail = admin_client.get(tenant.url(f"/admin/apps/{app.pk}/"))
    assert b'id="new-secret"' in detail.content
    with tenant.context():
        assert app.secrets.count() == 2
        secret = app.secrets.get(description="CI")
    admin_client.post(tenant.url(f"/admin/apps/{app.pk}/secrets/{secret.pk}/revoke/"))
    with tenant.context():
        assert ClientSecret.objects.get(pk=secret.pk).revoked_at is not None
        assert AuditEvent.objects.filter(action="application.secret.revoke").exists()


def test_grant_a_management_api_permission_to_a_daemon(tenant, admin_client, make_app):
    app, _ = make_app("daemon")
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/permissions/"),
        {"permission": "builtin::User.ReadWrite.All"},
    )
    assert response.status_code == 302
    with tenant.context():
        perm = ApiPermission.objects.get(client=app)
        assert (perm.value, perm.kind, perm.admin_consented) == (
            "User.ReadWrite.All",
            "application",
            True,
        )
        assert AuditEvent.objects.filter(action="application.permission.grant").exists()
    admin_client.post(tenant.url(f"/admin/apps/{app.pk}/permissions/{perm.pk}/remove/"))
    with tenant.context():
        assert not ApiPermission.objects.filter(client=app).exists()


def test_edit_token_configuration(tenant, admin_client, make_app):
    app, _ = make_app("api")
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/edit/"),
        {
            "name": "Orders API",
            "algorithm": "ES256",
            "access_token_lifetime": "900",
            "id_token_lifetime": "900",
            "refresh_token_lifetime": "86400",
            "token_claims": ["email", "given_name"],
            "exposed_scopes": "Orders.Read Read your orders",
            "app_roles": "Orders.Read.All Read all orders",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302, response.content
    with tenant.context():
        app.refresh_from_db()
        assert app.algorithm == "ES256" and app.access_token_lifetime == 900
        assert app.exposed_scopes == [{"value": "Orders.Read", "description": "Read your orders"}]
        assert AuditEvent.objects.filter(action="application.update").exists()


def test_edit_refuses_out_of_range_lifetimes(tenant, admin_client, make_app):
    app, _ = make_app("web")
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/edit/"),
        {
            "name": "x",
            "algorithm": "RS256",
            "access_token_lifetime": "5",
            "id_token_lifetime": "900",
            "refresh_token_lifetime": "86400",
        },
    )
    assert response.status_code == 200
    assert b"access_token_lifetime_errors" in response.content


def test_delete_an_app(tenant, admin_client, make_app):
    app, _ = make_app("web")
    admin_client.post(tenant.url(f"/admin/apps/{app.pk}/delete/"))
    with tenant.context():
        assert not Application.objects.filter(pk=app.pk).exists()
        assert AuditEvent.objects.filter(action="application.delete").exists()


def test_app_list_and_permissions(tenant, make_admin, make_app):
    make_app("web")
    reader = make_admin("insights_reader")
    assert reader.get(tenant.url("/admin/apps/")).status_code == 403
    app_admin = make_admin("application_administrator")
    listing = app_admin.get(tenant.url("/admin/apps/"))
    assert listing.status_code == 200 and b"web app" in listing.content


def test_signed_out_admin_pages_redirect_to_sign_in(tenant, client):
    response = client.get(tenant.url("/admin/apps/"))
    assert response.status_code == 302 and "/admin/signin/" in response["Location"]


def test_keys_page_lists_keys_and_rotates(tenant, admin_client):
    # given
    page = admin_client.get(tenant.url("/admin/keys/"))
    assert page.status_code == 200 and b"ES256" in page.content
    with tenant.context():
        before = SigningKey.objects.get(algorithm="ES256", status="active")
        published_next = SigningKey.objects.get(algorithm="ES256", status="next")

    # when
    response = admin_client.post(tenant.url("/admin/keys/rotate/"), {"algorithm": "ES256"})

    # then
    assert response.status_code == 302
    with tenant.context():
        assert SigningKey.objects.get(pk=before.pk).status == "retired"
        assert SigningKey.objects.get(pk=published_next.pk).status == "active"
        assert SigningKey.objects.filter(algorithm="ES256", status="next").count() == 1
        assert AuditEvent.objects.filter(action="signing_key.rotate").exists()
    jwks = {k["kid"] for k in admin_client.get(tenant.url("/discovery/v2.0/keys")).json()["keys"]}
    assert before.kid in jwks and published_next.kid in jwks


def test_assign_a_user_to_an_app_role_puts_it_in_the_tokens(tenant, admin_client, make_app, flow):
    import json

    from jwcrypto import jwt

    from applications import services
    from applications.models import AppRoleAssignment

    # given: the flow's web app defines an app role
    with tenant.context():
        services.update_application(
            flow.app, actor="tests", app_roles=[{"value": "Store.Manager", "description": ""}]
        )

    # when: an admin assigns the customer to it
    response = admin_client.post(
        tenant.url(f"/admin/apps/{flow.app.pk}/roles/"),
        {"email": "casey@example.com", "role": "Store.Manager"},
    )

    # then
    assert response.status_code == 302
    with tenant.context():
        assert AppRoleAssignment.objects.filter(application=flow.app).count() == 1
        assert AuditEvent.objects.filter(action="application.role.assign").exists()
    tokens = flow.tokens()
    id_claims = json.loads(jwt.JWT(jwt=tokens["id_token"]).token.objects["payload"])
    access = json.loads(jwt.JWT(jwt=tokens["access_token"]).token.objects["payload"])
    assert id_claims["roles"] == ["Store.Manager"] and access["roles"] == ["Store.Manager"]


def test_assigning_an_undefined_app_role_is_refused(tenant, make_app, customer):
    import pytest
    from django.core.exceptions import ValidationError

    from applications import services

    app, _ = make_app("web")
    with tenant.context(), pytest.raises(ValidationError):
        services.assign_app_role(app, user=customer, value="Nope", actor="tests")


def _edit_data(**extra) -> dict:
    return {
        "name": "Daemon",
        "algorithm": "RS256",
        "access_token_lifetime": "3600",
        "id_token_lifetime": "3600",
        "refresh_token_lifetime": "86400",
        "is_enabled": "on",
        **extra,
    }


def test_upload_a_public_key_for_private_key_jwt(tenant, admin_client, make_app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    app, _ = make_app("daemon")
    private = ec.generate_private_key(ec.SECP256R1())
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/edit/"), _edit_data(public_keys=pem)
    )
    assert response.status_code == 302
    with tenant.context():
        app.refresh_from_db()
        assert app.jwks["keys"][0]["kty"] == "EC" and "d" not in app.jwks["keys"][0]


def test_uploading_a_private_key_is_refused(tenant, admin_client, make_app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    app, _ = make_app("daemon")
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    response = admin_client.post(
        tenant.url(f"/admin/apps/{app.pk}/edit/"), _edit_data(public_keys=pem)
    )
    assert response.status_code == 200
    assert b"never the private key" in response.content
    with tenant.context():
        app.refresh_from_db()
        assert app.jwks == {}
