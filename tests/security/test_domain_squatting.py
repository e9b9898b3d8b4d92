"""Finding 5: an unverified custom-domain claim no longer blocks every other tenant.
Pending claims coexist; uniqueness holds for verified domains only; verifying one
tenant's claim removes the others' pending claims."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Domain
from tests.plugins.fixtures import PASSWORD
from tests.tenants.test_custom_domains import dns_server  # noqa: F401

pytestmark = pytest.mark.django_db
NAME = "login.squatted.example"


def _admin(info) -> Client:
    client = Client()
    response = client.post(
        info.url("/admin/signin/"), {"email": info.admin_email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _add(client, info):
    return client.post(info.url("/admin/settings/"), {"action": "add_domain", "domain": NAME})


def test_a_pending_claim_does_not_block_the_owner(
    admin_client,
    tenant,
    other_tenant,
    dns_server,  # noqa: F811
):
    # given a squatter's pending claim
    assert _add(admin_client, tenant).status_code == 302
    # when the real owner adds the same name
    owner = _admin(other_tenant)
    assert _add(owner, other_tenant).status_code == 302
    assert Domain.objects.filter(domain=NAME).count() == 2
    # and proves it
    claim = Domain.objects.get(domain=NAME, tenant=other_tenant.tenant)
    dns_server[f"_ciam-challenge.{NAME}"] = claim.verification_token
    owner.post(
        other_tenant.url("/admin/settings/"), {"action": "verify_domain", "domain_id": claim.pk}
    )
    # then the domain is the owner's alone, and nobody else can claim it any more
    assert list(Domain.objects.filter(domain=NAME).values_list("tenant", "is_verified")) == [
        (other_tenant.tenant.pk, True)
    ]
    page = _add(admin_client, tenant)
    assert page.status_code == 200 and b"already in use" in page.content
    response = Client().get("/admin/signin/", HTTP_HOST=NAME)
    assert response.status_code == 200 and b"Other Co" in response.content
