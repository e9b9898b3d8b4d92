from __future__ import annotations

import datetime
import uuid

import pytest

from .oracle import IP, UA, Ev, data_of


def clear_insights() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE insights_event, insights_hourlycount, insights_activeuserday")


def record(ev: Ev, users: dict[str, uuid.UUID]) -> None:
    from insights.services import record_event

    record_event(
        ev.kind,
        user_id=users[ev.user] if ev.user else None,
        client_id=ev.app,
        data=data_of(ev),
        occurred_at=ev.at,
        user_agent=UA[ev.device],
        ip=IP[ev.place],
    )


def make_users(names_since: dict[str, datetime.date]) -> dict[str, uuid.UUID]:
    """Customer accounts created on the given UTC days (name -> day)."""
    from directory.models import User

    User.objects.filter(email__startswith="insights-").delete()
    ids = {}
    for name, since in names_since.items():
        user = User(email=f"insights-{name}@example.com", kind=User.Kind.CUSTOMER)
        user.set_unusable_password()
        user.save()
        created = datetime.datetime.combine(since, datetime.time(12), tzinfo=datetime.UTC)
        User.objects.filter(pk=user.pk).update(created_at=created)
        ids[name] = user.pk
    return ids


@pytest.fixture
def insights_tenants(tenant, other_tenant):
    return (tenant, other_tenant)


@pytest.fixture
def report_apis(insights_tenants):
    """A reports API client (an app granted Reports.Read.All) per tenant."""
    from tests.directory.conftest import ApiClient, issue_token

    return [ApiClient(info, issue_token(info, ("Reports.Read.All",))) for info in insights_tenants]


@pytest.fixture
def insights_admins(insights_tenants):
    """A signed-in Insights Reader of each tenant."""
    from django.test import Client

    from directory import services
    from tests.plugins.fixtures import PASSWORD

    clients = []
    for info in insights_tenants:
        email = f"reader-of-insights@{info.name}.example"
        with info.context():
            services.create_admin(
                email=email, password=PASSWORD, roles=["insights_reader"], actor="tests"
            )
        client = Client()
        response = client.post(info.url("/admin/signin/"), {"email": email, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients
