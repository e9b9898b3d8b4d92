"""The dashboards in a real browser: the numbers drawn are read back from the Chart.js
instances (not from a screenshot)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.plugins.fixtures import PASSWORD

from .conftest import clear_insights

EMAIL = "browser-insights@testco.example"


@pytest.fixture
def seeded(tenants_setup, django_db_blocker):
    """Committed events of three users over the last days, rolled up; an Insights Reader."""
    from directory import services
    from directory.models import User
    from insights import rollup
    from insights.services import record_event

    tenant = tenants_setup[0]
    today = timezone.now().replace(hour=12, minute=0)
    with django_db_blocker.unblock(), tenant.context():
        clear_insights()
        services.create_admin(
            email=EMAIL, password=PASSWORD, roles=["insights_reader"], actor="tests"
        )
        users = [uuid.uuid4() for _ in range(3)]
        for days_ago, user in ((0, users[0]), (0, users[1]), (1, users[0]), (3, users[2])):
            record_event(
                "signin.succeeded",
                user_id=user,
                data={"method": "password"},
                occurred_at=today - datetime.timedelta(days=days_ago),
                user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36",
            )
        record_event("signin.failed", occurred_at=today, data={"reason": "bad_credentials"})
        rollup.roll_up_pending()
    yield tenant, today.date()
    with django_db_blocker.unblock(), tenant.context():
        clear_insights()
        User.objects.filter(email=EMAIL).delete()


def test_the_charts_draw_the_rolled_up_numbers(page: Page, live_url, seeded):
    tenant, today = seeded
    page.goto(f"{live_url}{tenant.url('/admin/insights/')}")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Daily active and inactive users")).to_be_visible()
    page.wait_for_function("window.insightsCharts && window.insightsCharts['daily-users']")
    chart = page.evaluate(
        """() => { const c = window.insightsCharts['daily-users'];
                   return {labels: c.data.labels, data: c.data.datasets[0].data,
                           label: c.data.datasets[0].label}; }"""
    )
    assert chart["label"] == "Active users"
    by_day = dict(zip(chart["labels"], chart["data"], strict=True))
    day = datetime.timedelta(days=1)
    assert by_day[today.isoformat()] == 2
    assert by_day[(today - day).isoformat()] == 1
    assert by_day[(today - 2 * day).isoformat()] == 0
    assert by_day[(today - 3 * day).isoformat()] == 1

    page.get_by_role("link", name="Authentications").click()
    page.wait_for_function("window.insightsCharts && window.insightsCharts['auth-daily-os']")
    series = page.evaluate(
        """() => Object.fromEntries(window.insightsCharts['auth-daily-os'].data.datasets
                 .map(d => [d.label, d.data[d.data.length - 1]]))"""
    )
    assert series == {"Windows": 2, "unknown": 1}
