"""The Usage & insights pages: access by role, CSV export, the overview's week."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from insights import dashboards, rollup
from insights.services import record_event

from .conftest import clear_insights


@pytest.mark.parametrize(
    ("role", "status"),
    [("insights_reader", 200), ("reports_reader", 200), ("user_administrator", 403)],
)
def test_dashboards_are_for_insights_readers(make_admin, tenant, role, status):
    client = make_admin(role)
    for page in ("", "authentications/", "mfa/"):
        assert client.get(tenant.url(f"/admin/insights/{page}")).status_code == status


def test_unknown_pages_and_charts_are_404(admin_client, tenant):
    assert admin_client.get(tenant.url("/admin/insights/nope/")).status_code == 404
    assert admin_client.get(tenant.url("/admin/insights/users/nope.csv")).status_code == 404


def test_bad_filters_fall_back_to_the_last_30_days(admin_client, tenant):
    response = admin_client.get(tenant.url("/admin/insights/"), {"from": "x", "to": "<script>"})
    assert response.status_code == 200
    daily = response.context["charts_json"][0]
    assert len(daily["labels"]) == 30


def test_csv_export_has_the_charts_numbers(admin_client, tenant):
    today = timezone.now()
    with tenant.context():
        clear_insights()
        for reason in ("locked", "bad_credentials"):
            record_event("signin.failed", data={"reason": reason}, occurred_at=today)
        rollup.roll_up_pending()
    response = admin_client.get(
        tenant.url("/admin/insights/authentications/auth-daily-outcome.csv")
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date or value", "Failed"]
    assert [today.date().isoformat(), "2"] in rows


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_start_a_formula(value):
    chart = dashboards.Chart("c", "t", "bar", [value], {value: [1]})
    rows = list(csv.reader(io.StringIO(dashboards.to_csv(chart))))
    assert rows[0][1] == "'" + value
    assert rows[1][0] == "'" + value


def test_overview_shows_this_weeks_numbers(admin_client, tenant):
    now = timezone.now()
    with tenant.context():
        clear_insights()
        record_event("signup.completed", user_id="0b6f7a8e-56f3-4a43-8f22-1a4d2b9f3c11")
        record_event("signin.failed", occurred_at=now - datetime.timedelta(days=2))
        record_event("signin.failed", occurred_at=now - datetime.timedelta(days=30))
        rollup.roll_up_pending()
    response = admin_client.get(tenant.url("/admin/"))
    stats = {label: total for label, total, _, _ in response.context["panel"]["insight_stats"]}
    assert stats == {
        "Active users this week": 1,
        "Sign-ups this week": 1,
        "Failed sign-ins this week": 1,
    }
    assert b'id="insights-week"' in response.content
