"""Hook points for custom authentication extensions, and the one-time code rules."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from directory.models import User
from userflows import codes, hooks
from userflows.models import FlowAttribute

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    added = []

    def register(point, fn):
        hooks.register(point, fn)
        added.append((point, fn))

    yield register
    for point, fn in added:
        hooks.unregister(point, fn)


def _to_attributes(client, tenant, smtp):
    url = tenant.url("/account/signup/")
    client.post(url, {"email": "hooked@example.com"})
    client.post(url, {"code": smtp.last_code("hooked@example.com")})
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    return url


def test_attribute_collection_hooks_prefill_and_refuse(tenant, smtp, default_flow, registered):
    with tenant.context():
        FlowAttribute.objects.create(flow=default_flow, attribute="city", label="City")
    registered(hooks.ATTRIBUTE_COLLECTION_START, lambda **kw: {"values": {"city": "Bergen"}})

    def refuse_mars(values, **kw):
        if values.get("city") == "Mars":
            raise ValidationError({"city": "We do not ship there."})

    registered(hooks.ATTRIBUTE_COLLECTION_SUBMIT, refuse_mars)
    client = Client()
    url = _to_attributes(client, tenant, smtp)
    assert b'value="Bergen"' in client.get(url).content
    r = client.post(url, {"city": "Mars"})
    assert b"We do not ship there." in r.content
    with tenant.context():
        assert not User.objects.filter(email="hooked@example.com").exists()
    assert client.post(url, {"city": "Oslo"}).status_code == 302


def test_otp_send_hook_can_deliver_the_code_itself(tenant, smtp, default_flow, registered):
    delivered = {}

    def deliver(email, code, **kw):
        delivered[email] = code
        return {"handled": True}

    registered(hooks.OTP_SEND, deliver)
    client = Client()
    client.post(tenant.url("/account/signup/"), {"email": "sms@example.com"})
    assert smtp.to("sms@example.com") == []
    r = client.post(tenant.url("/account/signup/"), {"code": delivered["sms@example.com"]})
    assert r.status_code == 302


def test_unknown_hook_point_is_refused():
    with pytest.raises(ValueError):
        hooks.register("token_issuance_start_typo", lambda **kw: None)


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
