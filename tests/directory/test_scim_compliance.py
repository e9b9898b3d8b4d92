"""A standard SCIM compliance tester (scim2-tester) against the SCIM endpoint served by a
live server."""

from __future__ import annotations

import pytest
from django.utils import timezone
from httpx2 import Client as HttpClient
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL}


@pytest.fixture
def scim_token(tenants_setup, django_db_blocker):
    """A SCIM token committed to the database (the live server has its own connection);
    what the tester leaves behind is removed afterwards."""
    from directory import services_access
    from directory.models import Group, ScimToken, User

    tenant = tenants_setup[0]
    started = timezone.now()
    with django_db_blocker.unblock(), tenant.context():
        row, token = services_access.create_scim_token(name="compliance", actor="tests")
    yield tenant, token
    with django_db_blocker.unblock(), tenant.context():
        User.objects.filter(kind=User.Kind.CUSTOMER, created_at__gte=started).delete()
        Group.objects.filter(created_at__gte=started).delete()
        ScimToken.objects.filter(pk=row.pk).delete()


def test_scim_endpoint_passes_the_scim2_tester_compliance_checks(live_url, scim_token):
    # given
    tenant, token = scim_token
    http = HttpClient(
        base_url=f"{live_url}{tenant.url('/scim/v2')}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    # when
    results = check_server(client)
    # then
    failures = [f"{r.title}: {r.reason}" for r in results if r.status in FAILING]
    assert results and not failures, "\n".join(failures)
    assert any(r.resource_type == "User" for r in results)
    assert any(r.resource_type == "Group" for r in results)
