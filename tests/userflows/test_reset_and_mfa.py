"""Password reset by email code, hash upgrade on sign-in, and MFA (email code by
policy, authenticator app, recovery codes)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.hashers import make_password
from django.test import Client

from directory.models import User
from userflows.models import UserFlow

from .conftest import PASSWORD
from .test_signin import authorize_url, login

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Quartz-Meadow-Violin-77"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_now(secret: str = SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_password_reset_by_email_code(tenant, smtp, default_flow, make_customer):
    make_customer()
    client = Client()
    r = client.post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
    assert r.status_code == 302
    code = smtp.last_code("ada@example.com")
    r = client.post(r["Location"], {"code": code})
    assert r.status_code == 302
    r = client.post(r["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302
    with tenant.context():
        user = User.objects.get(email="ada@example.com")
        assert user.check_password(NEW_PASSWORD)
        from insights.models import Event

        event = Event.objects.get(kind="password.reset")
        assert (event.user_id, event.data["client_type"]) == (user.pk, "browser")
    assert login(Client(), tenant, "ada@example.com", NEW_PASSWORD).status_code == 302


def test_password_reset_answers_the_same_for_unknown_email(tenant, smtp, default_flow):
    known_client, unknown_client = Client(), Client()
    with tenant.context():
        User.objects.create_user("ada@example.com", PASSWORD, kind="customer")
    known = known_client.post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
    unknown = unknown_client.post(
        tenant.url("/account/password/reset/"), {"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_password_reset_wrong_code_is_refused(tenant, smtp, default_flow, make_customer):
    make_customer()
    client = Client()
    r = client.post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
    confirm = r["Location"]
    code = smtp.last_code("ada@example.com")
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(confirm, {"code": wrong})
    assert r.status_code == 200
    assert r.context["form"].errors["code"]


def test_password_reset_never_mails_admin_accounts(tenant, smtp, default_flow):
    Client().post(tenant.url("/account/password/reset/"), {"email": tenant.admin_email})
    assert smtp.to(tenant.admin_email) == []


def test_password_reset_applies_the_tenant_password_policy(
    tenant, smtp, default_flow, make_customer
):
    from userflows import services

    make_customer()
    with tenant.context():
        services.update_password_policy(min_length=30, reject_common=True, actor="tests")
    client = Client()
    r = client.post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
    r = client.post(r["Location"], {"code": smtp.last_code("ada@example.com")})
    r = client.post(r["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 200
    assert "at least 30 characters" in str(r.context["form"].errors)


def test_imported_hash_is_upgraded_to_argon2_on_signin(tenant, default_flow, make_customer):
    user = make_customer(password=None)
    with tenant.context():
        User.objects.filter(pk=user.pk).update(
            password=make_password(PASSWORD, hasher="pbkdf2_sha256")
        )
    assert login(Client(), tenant, "ada@example.com", PASSWORD).status_code == 302
    with tenant.context():
        assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


def _set_policy(tenant, flow, policy):
    with tenant.context():
        flow.mfa_policy = policy
        flow.save()


def test_mfa_always_asks_for_an_email_code(tenant, smtp, default_flow, make_customer):
    make_customer()
    _set_policy(tenant, default_flow, UserFlow.MFAPolicy.ALWAYS)
    client = Client()
    next_url = authorize_url(tenant)
    r = login(client, tenant, "ada@example.com", PASSWORD, next_url)
    assert r.status_code == 302
    assert "/account/login/code/confirm/" in r["Location"]
    assert "_auth_user_id" not in client.session
    # a wrong code does not sign in
    r2 = client.post(r["Location"], {"code": "000000"})
    assert r2.status_code == 200
    r3 = client.post(r["Location"], {"code": smtp.last_code("ada@example.com")})
    assert r3.status_code == 302
    assert r3["Location"] == next_url


def test_mfa_off_signs_in_with_the_password_alone(tenant, smtp, default_flow, make_customer):
    make_customer()
    r = login(Client(), tenant, "ada@example.com", PASSWORD)
    assert r.status_code == 302
    assert "/account/profile/" in r["Location"]
    assert smtp.to("ada@example.com") == []


def test_mfa_risky_challenges_new_devices_only(tenant, smtp, default_flow, make_customer):
    make_customer()
    _set_policy(tenant, default_flow, UserFlow.MFAPolicy.RISKY)
    client = Client()
    r = login(client, tenant, "ada@example.com", PASSWORD)
    assert "/account/login/code/confirm/" in r["Location"]
    r = client.post(r["Location"], {"code": smtp.last_code("ada@example.com")})
    assert r.status_code == 302
    assert "ciam_device" in client.cookies
    client.post(tenant.url("/account/logout/"))
    # the same device signs in without a challenge
    r = login(client, tenant, "ada@example.com", PASSWORD)
    assert "/account/profile/" in r["Location"]
    # after a burst of failures the known device is challenged again
    client.post(tenant.url("/account/logout/"))
    for _ in range(3):
        login(Client(), tenant, "ada@example.com", "Wrong-Password-1", ip="10.3.3.3")
    r = login(client, tenant, "ada@example.com", PASSWORD)
    assert "/account/login/code/confirm/" in r["Location"]


def test_totp_challenge_and_recovery_code(tenant, default_flow, make_customer):
    user = make_customer()
    with tenant.context():
        TOTP.activate(user, SECRET)
        codes = RecoveryCodes.activate(user).get_unused_codes()
    client = Client()
    r = login(client, tenant, "ada@example.com", PASSWORD)
    assert "/account/2fa/authenticate/" in r["Location"]
    wrong = client.post(r["Location"], {"code": "000000"})
    assert wrong.status_code == 200
    ok = client.post(r["Location"], {"code": totp_now()})
    assert ok.status_code == 302
    # a recovery code works once
    other = Client()
    r = login(other, tenant, "ada@example.com", PASSWORD)
    assert other.post(r["Location"], {"code": codes[0]}).status_code == 302
    again = Client()
    r = login(again, tenant, "ada@example.com", PASSWORD)
    assert again.post(r["Location"], {"code": codes[0]}).status_code == 200


def test_totp_enrolment_from_the_account_pages(tenant, default_flow, make_customer):
    user = make_customer()
    client = Client()
    login(client, tenant, "ada@example.com", PASSWORD)
    # enrolment asks for the password again first
    r = client.get(tenant.url("/account/2fa/totp/activate/"))
    assert "/account/reauthenticate/" in r["Location"]
    r = client.post(r["Location"], {"password": PASSWORD})
    assert r.status_code == 302
    page = client.get(tenant.url("/account/2fa/totp/activate/"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    r = client.post(tenant.url("/account/2fa/totp/activate/"), {"code": totp_now(secret)})
    assert r.status_code == 302
    with tenant.context():
        types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        stored = Authenticator.objects.get(user=user, type="totp").data["secret"]
    assert types == {"totp", "recovery_codes"}
    assert stored != secret  # encrypted at rest
