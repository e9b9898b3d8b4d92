"""Sign-up: email first, proved by a code, then password, attributes and consent; the
account exists only once everything is valid."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client

from directory.models import User
from insights.models import Event
from userflows.journey import store
from userflows.models import FlowAttribute

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signup_url(tenant) -> str:
    return tenant.url("/account/signup/")


def test_signup_creates_account_only_after_code_password_and_attributes(
    tenant, smtp, default_flow, customer_client
):
    # given a flow collecting a required given name and a required consent checkbox
    with tenant.context():
        FlowAttribute.objects.create(
            flow=default_flow, attribute="given_name", label="Given name", required=True, order=1
        )
        FlowAttribute.objects.create(
            flow=default_flow,
            attribute="terms",
            label="I accept the terms of use",
            input_type="checkbox",
            required=True,
            order=2,
            link_url="https://example.com/terms",
        )
    url = _signup_url(tenant)
    # when the customer enters the email
    r = customer_client.post(url, {"email": "New@Example.com"})
    assert r.status_code == 302
    with tenant.context():
        assert not User.objects.filter(email="new@example.com").exists()
    code = smtp.last_code("new@example.com")
    # and the code
    r = customer_client.post(url, {"code": code})
    assert r.status_code == 302
    # and a password
    r = customer_client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302
    with tenant.context():
        assert not User.objects.filter(email="new@example.com").exists()
    page = customer_client.get(url)
    assert b"https://example.com/terms" in page.content
    # and the attributes with consent
    r = customer_client.post(url, {"given_name": "Ada", "terms": "on"})
    # then the account exists, verified, signed in
    assert r.status_code == 302
    with tenant.context():
        user = User.objects.get(email="new@example.com")
        assert user.kind == "customer"
        assert user.given_name == "Ada"
        assert user.custom_attributes == {"terms": True}
        assert user.check_password(PASSWORD)
        assert user.emailaddress_set.get().verified
        kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"signup.code_sent", "signup.email_verified", "signup.completed"} <= kinds
    assert customer_client.get(tenant.url("/account/profile/")).status_code == 200


def _to_attributes_step(client, url, smtp, email="new@example.com"):
    client.post(url, {"email": email})
    client.post(url, {"code": smtp.last_code(email)})
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})


def test_signup_refuses_missing_required_attribute(tenant, smtp, default_flow, customer_client):
    with tenant.context():
        FlowAttribute.objects.create(
            flow=default_flow, attribute="given_name", label="Given name", required=True
        )
    url = _signup_url(tenant)
    _to_attributes_step(customer_client, url, smtp)
    r = customer_client.post(url, {"given_name": ""})
    assert r.status_code == 200
    assert b"This field is required" in r.content
    with tenant.context():
        assert not User.objects.filter(email="new@example.com").exists()


def test_signup_refuses_without_consent(tenant, smtp, default_flow, customer_client):
    with tenant.context():
        FlowAttribute.objects.create(
            flow=default_flow,
            attribute="terms",
            label="I accept",
            input_type="checkbox",
            required=True,
        )
    url = _signup_url(tenant)
    _to_attributes_step(customer_client, url, smtp)
    r = customer_client.post(url, {})
    assert r.status_code == 200
    assert b"You must agree to continue." in r.content
    with tenant.context():
        assert not User.objects.filter(email="new@example.com").exists()


def test_wrong_code_is_refused(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant)
    customer_client.post(url, {"email": "new@example.com"})
    code = smtp.last_code("new@example.com")
    wrong = "000000" if code != "000000" else "111111"
    r = customer_client.post(url, {"code": wrong})
    assert r.status_code == 200
    assert b"That code is not valid" in r.content
    # the right code still works afterwards
    assert customer_client.post(url, {"code": code}).status_code == 302


def test_too_many_wrong_codes_burn_the_code(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant)
    customer_client.post(url, {"email": "new@example.com"})
    code = smtp.last_code("new@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        customer_client.post(url, {"code": wrong})
    r = customer_client.post(url, {"code": wrong})
    assert b"Too many wrong codes" in r.content
    r = customer_client.post(url, {"code": code})
    assert r.status_code == 200  # even the right code no longer works
    assert b"Too many wrong codes" in r.content or b"not valid" in r.content


def test_expired_code_is_refused(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant)
    customer_client.post(url, {"email": "new@example.com"})
    code = smtp.last_code("new@example.com")
    with tenant.context():  # session and journey keys in Redis carry the tenant's schema
        session = SessionStore(customer_client.cookies["ciam_session"].value)
        journey = store.load(session[store.SESSION_KEY])
        journey.values["code"]["expires"] = 0
        store.save(journey)
    r = customer_client.post(url, {"code": code})
    assert r.status_code == 200
    assert b"That code has expired" in r.content


def test_signup_with_existing_email_answers_the_same_and_sends_a_notice(
    tenant, smtp, default_flow, make_customer
):
    # given an existing customer
    make_customer("ada@example.com")
    from django.test import Client

    fresh, existing = Client(), Client()
    url = _signup_url(tenant)
    # when someone signs up with a new email and with the existing one
    r_new = fresh.post(url, {"email": "nobody@example.com"})
    r_old = existing.post(url, {"email": "ada@example.com"})
    # then both answers are identical
    assert r_new.status_code == r_old.status_code == 302
    page_new = fresh.get(url).content.replace(b"nobody@example.com", b"X")
    page_old = existing.get(url).content.replace(b"ada@example.com", b"X")
    strip = lambda b: b.split(b'name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(page_new) == strip(page_old)
    # and the owner gets a notice, not a code
    [notice] = smtp.to("ada@example.com")
    assert "already have an account" in notice["Subject"]
    # and no code can complete it
    r = existing.post(url, {"code": "123456"})
    assert r.status_code == 200


def test_signup_never_touches_admin_accounts(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant)
    customer_client.post(url, {"email": tenant.admin_email})
    assert smtp.to(tenant.admin_email)[0]["Subject"].endswith("You already have an account")
    with tenant.context():
        admin = User.objects.get(email=tenant.admin_email)
        assert admin.kind == "admin"


def test_weak_password_is_refused_beside_the_field(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant)
    customer_client.post(url, {"email": "new@example.com"})
    customer_client.post(url, {"code": smtp.last_code("new@example.com")})
    r = customer_client.post(url, {"password1": "password", "password2": "password"})
    assert r.status_code == 200
    assert b'id="id_password1_errors"' in r.content


def test_signup_email_sending_is_rate_limited(tenant, smtp, default_flow):
    from django.test import Client

    url = _signup_url(tenant)
    responses = [Client().post(url, {"email": "same@example.com"}) for _ in range(6)]
    assert [r.status_code for r in responses[:5]] == [302] * 5
    assert responses[5].status_code == 200
    assert b"Too many attempts" in responses[5].content
    assert len(smtp.to("same@example.com")) == 5


def test_mail_server_down_does_not_break_the_page(tenant, default_flow, settings):
    from .conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    r = Client().post(_signup_url(tenant), {"email": "new@example.com"})
    assert r.status_code == 302


def test_signup_without_password_when_the_flow_uses_codes_only(
    tenant, smtp, default_flow, customer_client
):
    with tenant.context():
        default_flow.password_enabled = False
        default_flow.save()
    url = _signup_url(tenant)
    customer_client.post(url, {"email": "nopass@example.com"})
    r = customer_client.post(url, {"code": smtp.last_code("nopass@example.com")})
    assert r.status_code == 302  # no password step, no attributes: account created
    with tenant.context():
        assert not User.objects.get(email="nopass@example.com").has_usable_password()


def test_signup_never_redirects_to_another_site(tenant, smtp, default_flow, customer_client):
    url = _signup_url(tenant) + "?next=https://evil.example/steal"
    customer_client.post(url, {"email": "new@example.com"})
    customer_client.post(url, {"code": smtp.last_code("new@example.com")})
    r = customer_client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302
    assert "evil.example" not in r["Location"]
