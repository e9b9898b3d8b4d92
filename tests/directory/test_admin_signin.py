"""Admin sign-in: passwords, TOTP enrolment and challenge, required MFA, throttling,
and safe redirects."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from directory import services
from directory.models import AuditEvent


def totp_now(secret: str, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def enroll(client: Client, tenant) -> str:
    page = client.get(tenant.url("/admin/account/mfa/")).content.decode()
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    response = client.post(tenant.url("/admin/account/mfa/"), {"code": totp_now(secret)})
    assert response.status_code == 302
    return secret


def test_wrong_password_is_refused(tenant):
    response = Client().post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"The email or password is incorrect." in response.content


def test_unknown_email_gets_the_same_answer(tenant):
    response = Client().post(
        tenant.url("/admin/signin/"), {"email": "nobody@testco.example", "password": "wrong"}
    )
    assert b"The email or password is incorrect." in response.content


def test_malformed_form_shows_field_errors(tenant):
    response = Client().post(tenant.url("/admin/signin/"), {"email": "not-an-email"})
    assert response.status_code == 200
    assert b'id="id_email_errors"' in response.content
    assert b'id="id_password_errors"' in response.content


def test_next_is_followed_only_inside_the_tenant(tenant):
    creds = {"email": tenant.admin_email, "password": tenant.password}
    ok = Client().post(tenant.url("/admin/signin/?next=") + tenant.url("/admin/audit/"), creds)
    assert ok["Location"] == tenant.url("/admin/audit/")
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/t/otherco/admin/",
        "/\\evil.example",
    ]:
        response = Client().post(tenant.url("/admin/signin/") + f"?next={evil}", creds)
        assert response["Location"] == tenant.url("/admin/"), evil


def test_brute_force_is_throttled(tenant):
    client = Client()
    for _ in range(10):
        client.post(
            tenant.url("/admin/signin/"), {"email": "victim@testco.example", "password": "guess"}
        )
    response = client.post(
        tenant.url("/admin/signin/"), {"email": "victim@testco.example", "password": "guess"}
    )
    assert b"Too many attempts" in response.content


def test_totp_enrolment_then_challenge(admin_client, tenant):
    # given an admin who enrols an authenticator app
    secret = enroll(admin_client, tenant)
    with tenant.context():
        assert AuditEvent.objects.filter(action="admin.mfa.enable").exists()
    # when they sign in again
    client = Client()
    response = client.post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": tenant.password}
    )
    # then a code is asked for before anything else
    assert response["Location"] == tenant.url("/admin/signin/mfa/")
    assert client.get(tenant.url("/admin/")).status_code == 302
    bad = client.post(tenant.url("/admin/signin/mfa/"), {"code": "000000"})
    assert b"not valid" in bad.content
    # (the enrolment consumed the current code; the next window's code is accepted too)
    good = client.post(tenant.url("/admin/signin/mfa/"), {"code": totp_now(secret, 1)})
    assert good.status_code == 302, good.content.decode()[-600:]
    assert good["Location"] == tenant.url("/admin/")
    assert client.get(tenant.url("/admin/")).status_code == 200


def test_a_totp_code_cannot_be_replayed(admin_client, tenant):
    secret = enroll(admin_client, tenant)
    code = totp_now(secret)
    first = Client()
    first.post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": tenant.password}
    )
    # the enrolment already used this code within the window; a fresh sign-in with it fails
    response = first.post(tenant.url("/admin/signin/mfa/"), {"code": code})
    assert response.status_code == 200
    assert b"not valid" in response.content


def test_required_mfa_forces_enrolment(admin_client, tenant):
    with tenant.context():
        services.update_tenant_settings(require_admin_mfa=True, actor="tests")
    response = admin_client.get(tenant.url("/admin/"))
    assert response["Location"] == tenant.url("/admin/account/mfa/")
    enroll(admin_client, tenant)
    assert admin_client.get(tenant.url("/admin/")).status_code == 200


def test_mfa_secret_is_encrypted_at_rest(admin_client, tenant):
    from allauth.mfa.models import Authenticator

    secret = enroll(admin_client, tenant)
    with tenant.context():
        stored = Authenticator.objects.get().data["secret"]
    assert secret not in stored


def test_signout_ends_the_session(admin_client, tenant):
    admin_client.post(tenant.url("/admin/signout/"))
    assert admin_client.get(tenant.url("/admin/")).status_code == 302


def test_signin_requires_csrf_token(tenant):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": tenant.password}
    )
    assert response.status_code == 403
