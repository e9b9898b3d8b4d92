"""Self-service account pages: profile, sessions, app consents, deletion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from directory.models import User
from insights.models import Event
from userflows.models import FlowAttribute

from .conftest import PASSWORD
from .test_signin import login

pytestmark = pytest.mark.django_db


def _signed_in(tenant, make_customer, **extra):
    user = make_customer(**extra)
    client = Client()
    assert login(client, tenant, "ada@example.com", PASSWORD).status_code == 302
    return user, client


def _grant_tokens(tenant, user, name="Shop"):
    from applications.models import AccessToken, Application, RefreshToken

    with tenant.context():
        app = Application.objects.create(
            name=name,
            client_type="public",
            authorization_grant_type="authorization-code",
            redirect_uris="https://app.example/cb",
        )
        access = AccessToken.objects.create(
            user=user,
            application=app,
            token=f"at-{name}",
            expires=timezone.now() + timedelta(hours=1),
            scope="openid",
        )
        RefreshToken.objects.create(
            user=user, application=app, token=f"rt-{name}", access_token=access
        )
    return app


def test_profile_edits_the_flow_attributes(tenant, default_flow, make_customer):
    with tenant.context():
        FlowAttribute.objects.create(flow=default_flow, attribute="city", label="City")
    user, client = _signed_in(tenant, make_customer)
    r = client.post(tenant.url("/account/profile/"), {"city": "Lyon"})
    assert r.status_code == 302
    with tenant.context():
        assert User.objects.get(pk=user.pk).city == "Lyon"
        assert Event.objects.filter(kind="account.profile_updated", user_id=user.pk).exists()


def test_account_pages_need_a_customer_session(tenant, default_flow):
    r = Client().get(tenant.url("/account/profile/"))
    assert r.status_code == 302
    assert "/account/login/" in r["Location"]


def test_sessions_page_lists_the_customer_sessions(tenant, default_flow, make_customer):
    _user, client = _signed_in(tenant, make_customer)
    r = client.get(tenant.url("/account/sessions/"))
    assert r.status_code == 200
    assert r.context["sessions"]


def test_consents_are_listed_and_revoked(tenant, default_flow, make_customer):
    from applications.models import AccessToken, Consent, RefreshToken
    from applications.services import record_consent

    user, client = _signed_in(tenant, make_customer)
    app = _grant_tokens(tenant, user)
    with tenant.context():
        record_consent(user, app, ["openid", "profile"])
    page = client.get(tenant.url("/account/consents/"))
    assert b"Shop" in page.content
    r = client.post(tenant.url("/account/consents/"), {"application": str(app.pk)})
    assert r.status_code == 302
    with tenant.context():
        assert not AccessToken.objects.filter(user=user).exists()
        assert not RefreshToken.objects.filter(user=user).exists()
        assert not Consent.objects.filter(user=user).exists()
        assert Event.objects.filter(
            kind="account.consent_revoked", client_id=app.client_id
        ).exists()


def test_revoking_an_app_the_customer_never_used_is_refused(tenant, default_flow, make_customer):
    other = make_customer("bob@example.com")
    _user, client = _signed_in(tenant, make_customer)
    app = _grant_tokens(tenant, other, name="Bobs")
    r = client.post(tenant.url("/account/consents/"), {"application": str(app.pk)})
    assert r.status_code == 404


def test_account_deletion_needs_reauthentication_and_removes_data(
    tenant, default_flow, make_customer
):
    from applications.models import AccessToken

    user, client = _signed_in(tenant, make_customer, given_name="Ada", city="Lyon")
    _grant_tokens(tenant, user)
    # the delete page asks for the password again
    r = client.get(tenant.url("/account/delete/"))
    assert "/account/reauthenticate/" in r["Location"]
    wrong = client.post(r["Location"], {"password": "Wrong-Password-1"})
    assert wrong.status_code == 200
    r = client.post(r["Location"], {"password": PASSWORD})
    assert r.status_code == 302
    assert r["Location"] == tenant.url("/account/delete/")
    # confirmation is required
    r = client.post(tenant.url("/account/delete/"), {})
    assert b"Tick the box to confirm." in r.content
    r = client.post(tenant.url("/account/delete/"), {"confirm": "on"})
    assert r.status_code == 200
    with tenant.context():
        assert not User.objects.filter(pk=user.pk).exists()
        assert not AccessToken.objects.filter(token="at-Shop").exists()
        event = Event.objects.get(kind="account.deleted")
        assert event.user_id == user.pk
        assert "ada@example.com" not in str(event.data)
    # the session is gone
    assert client.get(tenant.url("/account/profile/")).status_code == 302
    assert login(Client(), tenant, "ada@example.com", PASSWORD).status_code == 200


def test_customer_signs_out_other_sessions(tenant, default_flow, make_customer):
    _user, phone = _signed_in(tenant, make_customer)
    laptop = Client()
    assert login(laptop, tenant, "ada@example.com", PASSWORD).status_code == 302
    assert phone.get(tenant.url("/account/profile/")).status_code == 200
    r = laptop.post(tenant.url("/account/sessions/"))
    assert r.status_code == 302
    assert laptop.get(tenant.url("/account/profile/")).status_code == 200
    assert phone.get(tenant.url("/account/profile/")).status_code == 302


def test_change_password_applies_the_policy(tenant, default_flow, make_customer):
    user, client = _signed_in(tenant, make_customer)
    url = tenant.url("/account/password/change/")
    weak = client.post(url, {"oldpassword": PASSWORD, "password1": "short", "password2": "short"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password1"]
    new = "Copper-Kettle-Orchard-51"
    r = client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert r.status_code == 302
    with tenant.context():
        assert User.objects.get(pk=user.pk).check_password(new)


def test_customer_removes_the_authenticator_app(tenant, default_flow, make_customer):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from .test_reset_and_mfa import SECRET, totp_now

    user = make_customer()
    with tenant.context():
        TOTP.activate(user, SECRET)
    client = Client()
    r = login(client, tenant, "ada@example.com", PASSWORD)
    client.post(r["Location"], {"code": totp_now()})
    url = tenant.url("/account/2fa/totp/deactivate/")
    r = client.post(url)
    # a fresh proof (the password) is asked for first
    assert "/account/reauthenticate/" in r["Location"]
    back = client.post(r["Location"], {"password": PASSWORD})
    assert back.status_code == 302
    assert back["Location"] == url  # back to the page, now re-authenticated
    r = client.post(url)
    assert r.status_code == 302
    with tenant.context():
        assert not Authenticator.objects.filter(user=user, type="totp").exists()
