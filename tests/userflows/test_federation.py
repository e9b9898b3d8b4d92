"""Federated sign-in through an OpenID Connect provider (a real local one)."""

from __future__ import annotations

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from directory.models import User
from userflows.models import FlowAttribute

from .conftest import PASSWORD
from .test_signin import authorize_url, login

pytestmark = pytest.mark.django_db


def federate(client, tenant, next_url=None, process="login"):
    """Start at the provider button, let the provider answer, come back to the callback."""
    data = {"process": process}
    if next_url:
        data["next"] = next_url
    r = client.post(tenant.url("/account/oidc/partner/login/"), data)
    assert r.status_code == 302, r.content
    upstream = requests.get(r["Location"], allow_redirects=False, timeout=5)
    assert upstream.status_code == 302
    callback = upstream.headers["Location"]
    return client.get(callback.split("testserver", 1)[1])


def test_login_page_shows_the_flow_provider(tenant, federated_flow):
    page = Client().get(tenant.url("/account/login/"))
    assert b'id="idp-partner"' in page.content


def test_first_federated_signin_creates_a_customer(tenant, federated_flow, oidc_provider):
    oidc_provider.person.update(given_name="Fed", family_name="Erated")
    client = Client()
    next_url = authorize_url(tenant)
    client.get(tenant.url("/account/login/"), {"next": next_url})
    r = federate(client, tenant, next_url)
    assert r.status_code == 302
    assert r["Location"] == next_url
    with tenant.context():
        user = User.objects.get(email="fed@example.com")
        assert user.kind == "customer"
        assert user.surname == "Erated"
        assert SocialAccount.objects.get(user=user).uid == "partner-user-1"


def test_first_federated_signin_collects_missing_required_attributes(
    tenant, federated_flow, oidc_provider
):
    with tenant.context():
        FlowAttribute.objects.create(
            flow=federated_flow, attribute="city", label="City", required=True
        )
    client = Client()
    r = federate(client, tenant)
    assert "/account/signup/attributes/" in r["Location"]
    missing = client.post(r["Location"], {"city": ""})
    assert missing.status_code == 200
    done = client.post(r["Location"], {"city": "Oslo"})
    assert done.status_code == 302
    with tenant.context():
        assert User.objects.get(email="fed@example.com").city == "Oslo"


def test_existing_local_account_is_never_linked_by_email(
    tenant, smtp, federated_flow, oidc_provider, make_customer
):
    make_customer("fed@example.com")
    client = Client()
    r = federate(client, tenant)
    with tenant.context():
        assert not SocialAccount.objects.exists()
        assert User.objects.filter(email__iexact="fed@example.com").count() == 1
    assert "_auth_user_id" not in client.session
    # the page answers as for a new email (asks for a code that can never match) while
    # the owner of the address is told that an account already exists
    if r.status_code == 302:
        r = client.get(r["Location"])
    assert b'name="code"' in r.content
    [notice] = smtp.to("fed@example.com")
    assert "already" in notice["Subject"].lower()


def test_linking_after_proving_ownership(tenant, federated_flow, oidc_provider, make_customer):
    user = make_customer("fed@example.com")
    client = Client()
    assert login(client, tenant, "fed@example.com", PASSWORD).status_code == 302
    r = federate(client, tenant, process="connect")
    assert r.status_code == 302
    with tenant.context():
        assert SocialAccount.objects.get(uid="partner-user-1").user_id == user.pk
    # next time the provider signs the customer in to that account
    other = Client()
    r = federate(other, tenant)
    assert r.status_code == 302
    assert "/account/profile/" in r["Location"]


def test_provider_not_in_the_flow_is_not_offered(tenant, federated_flow):
    with tenant.context():
        federated_flow.identity_providers.clear()
    page = Client().get(tenant.url("/account/login/"))
    assert b'id="idp-partner"' not in page.content
    r = Client().post(tenant.url("/account/oidc/partner/login/"), {"process": "login"})
    assert r.status_code == 404
