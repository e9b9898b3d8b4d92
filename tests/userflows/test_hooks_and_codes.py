"""Extension points of the journey (a registered Provider, as the extensions app
registers one), and the one-time code rules."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from directory.models import User
from userflows import codes, extension_points
from userflows.extension_points import AttributeOutcome, PasswordOutcome
from userflows.models import FlowAttribute

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


class RecordingProvider:
    """A provider with the behaviour a test gives it; records what it was called with."""

    def __init__(self, start=None, submit=None, otp=None, password=None):
        self.start, self.submit, self.otp, self.password = start, submit, otp, password
        self.calls: list[tuple] = []

    def on_attribute_collection_start(self, ctx):
        self.calls.append(("start", ctx))
        return self.start(ctx) if self.start else None

    def on_attribute_collection_submit(self, ctx, submitted):
        self.calls.append(("submit", ctx, submitted))
        return self.submit(ctx, submitted) if self.submit else None

    def on_otp_send(self, ctx, email, code):
        self.calls.append(("otp", ctx, email))
        return self.otp(ctx, email, code) if self.otp else False

    def on_password_submit(self, ctx, user_id, password):
        self.calls.append(("password", ctx, user_id))
        return self.password(ctx, user_id, password) if self.password else None


@pytest.fixture
def provider():
    def install(**behaviour):
        p = RecordingProvider(**behaviour)
        extension_points.register(p)
        return p

    yield install
    extension_points.reset()


def _to_attributes(client, tenant, smtp):
    url = tenant.url("/account/signup/")
    client.post(url, {"email": "hooked@example.com"})
    client.post(url, {"code": smtp.last_code("hooked@example.com")})
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    return url


def test_attribute_collection_prefill_and_refuse(tenant, smtp, default_flow, provider):
    with tenant.context():
        FlowAttribute.objects.create(flow=default_flow, attribute="city", label="City")

    def refuse_mars(ctx, submitted):
        if submitted.get("city") == "Mars":
            return AttributeOutcome("show_errors", field_errors={"city": "We do not ship there."})
        return AttributeOutcome("continue", values={"city": submitted["city"].upper()})

    p = provider(start=lambda ctx: AttributeOutcome(values={"city": "Bergen"}), submit=refuse_mars)
    client = Client()
    url = _to_attributes(client, tenant, smtp)
    assert b'value="Bergen"' in client.get(url).content
    r = client.post(url, {"city": "Mars"})
    assert b"We do not ship there." in r.content
    with tenant.context():
        assert not User.objects.filter(email="hooked@example.com").exists()
    assert client.post(url, {"city": "Oslo"}).status_code == 302
    with tenant.context():
        assert User.objects.get(email="hooked@example.com").city == "OSLO"
    [start] = [c for c in p.calls if c[0] == "start"]
    ctx = start[1]
    assert ctx.email == "hooked@example.com" and ctx.client_type == "browser"
    assert ctx.flow_id == str(default_flow.pk)


def test_attribute_collection_start_can_block(tenant, smtp, default_flow, provider):
    with tenant.context():
        FlowAttribute.objects.create(flow=default_flow, attribute="city", label="City")
    provider(start=lambda ctx: AttributeOutcome("block", title="No", message="Sign-up is paused."))
    client = Client()
    url = _to_attributes(client, tenant, smtp)
    r = client.get(url)
    assert r.status_code == 403
    assert b"Sign-up is paused." in r.content
    with tenant.context():
        assert not User.objects.filter(email="hooked@example.com").exists()


def test_otp_send_extension_can_deliver_the_code_itself(tenant, smtp, default_flow, provider):
    delivered = {}

    def deliver(ctx, email, code):
        delivered[email] = code
        return True

    provider(otp=deliver)
    client = Client()
    client.post(tenant.url("/account/signup/"), {"email": "sms@example.com"})
    assert smtp.to("sms@example.com") == []
    r = client.post(tenant.url("/account/signup/"), {"code": delivered["sms@example.com"]})
    assert r.status_code == 302


def test_password_submit_migrates_an_account_at_its_first_sign_in(
    tenant, default_flow, provider, make_customer
):
    # given an account imported without a usable hash, marked "to migrate"
    user = make_customer("legacy@example.com", password=None)
    with tenant.context():
        User.objects.filter(pk=user.pk).update(password_migration_pending=True)
    legacy = provider(password=lambda ctx, uid, pw: PasswordOutcome(pw == "Legacy-Secret-91"))
    url = tenant.url("/account/login/")
    # a password the legacy store refuses is refused
    r = Client().post(url, {"login": "legacy@example.com", "password": "Wrong-Secret-91"})
    assert r.status_code == 200
    # the one it accepts signs the customer in, and the platform keeps it
    r = Client().post(url, {"login": "legacy@example.com", "password": "Legacy-Secret-91"})
    assert r.status_code == 302
    with tenant.context():
        migrated = User.objects.get(pk=user.pk)
        assert migrated.check_password("Legacy-Secret-91")
        assert not migrated.password_migration_pending
    [first, *_] = [c for c in legacy.calls if c[0] == "password"]
    assert first[2] == str(user.pk) and first[1].client_type == "browser"
    # later sign-ins no longer ask the legacy store
    asked = len(legacy.calls)
    r = Client().post(url, {"login": "legacy@example.com", "password": "Legacy-Secret-91"})
    assert r.status_code == 302
    assert len(legacy.calls) == asked


def test_codes_are_single_use_and_bound_to_subject():
    state = codes.issue("signup", "a@example.com", "123456")
    with pytest.raises(codes.CodeError) as other:
        codes.check(state, "signup", "b@example.com", "123456")
    assert other.value.reason == "invalid"
    codes.check(state, "signup", "a@example.com", " 123 456 ")
    with pytest.raises(codes.CodeError):
        codes.check(state, "signup", "a@example.com", "123456")


def test_codes_expire_and_are_not_stored_in_clear(monkeypatch):
    state = codes.issue("signup", "a@example.com", "123456")
    assert "123456" not in str(state)
    monkeypatch.setattr(time, "time", lambda: state["expires"] + 1)
    with pytest.raises(codes.CodeError) as expired:
        codes.check(state, "signup", "a@example.com", "123456")
    assert expired.value.reason == "expired"
