"""The reports API's guard, filters and errors."""

from __future__ import annotations

import datetime

import pytest

from api.insights import parse_window
from insights import rollup
from insights.services import record_event
from tests.directory.conftest import ApiClient, issue_token

from .conftest import clear_insights

TODAY = datetime.date(2026, 6, 15)


def test_reports_need_the_reports_permission(tenant):
    api = ApiClient(tenant, issue_token(tenant, ("User.Read.All",)))
    response = api.get("/reports/userInsights/daily/activeUsers")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert ApiClient(tenant, "nope").get("/reports/userInsights/daily/signUps").status_code == 401


def test_reports_show_only_this_tenants_events(tenant, other_tenant):
    day = datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC)
    for info, app in ((tenant, "mine"), (other_tenant, "theirs")):
        with info.context():
            clear_insights()
            record_event("signup.completed", client_id=app, occurred_at=day)
            rollup.roll_up_pending()
    api = ApiClient(tenant, issue_token(tenant, ("Reports.Read.All",)))
    response = api.get(
        "/reports/userInsights/monthly/signUps",
        {"$filter": "factDate ge 2026-03-01 and factDate le 2026-03-31"},
    )
    assert [(r["factDate"], r["appId"], r["count"]) for r in response.json()["value"]] == [
        ("2026-03-01", "mine", 1)
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "factDate ge yesterday",
        "displayName eq 'x'",
        "appId ge 'x'",
        "factDate ge 2026-02-01 and factDate le 2026-01-01",
        "factDate ge 2020-01-01",
        "1 eq 1; DROP TABLE x",
    ],
)
def test_bad_filters_are_400(tenant, expression):
    api = ApiClient(tenant, issue_token(tenant, ("Reports.Read.All",)))
    response = api.get("/reports/userInsights/daily/authentications", {"$filter": expression})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


def test_unknown_reports_are_404(tenant):
    api = ApiClient(tenant, issue_token(tenant, ("Reports.Read.All",)))
    assert api.get("/reports/userInsights/weekly/activeUsers").status_code == 404
    assert api.get("/reports/userInsights/daily/summary").status_code == 404


def test_filter_windows():
    window = parse_window("day", "factDate gt 2026-06-01 and appId eq 'o''brien'", TODAY)
    assert (window.start, window.end, window.filters) == (
        datetime.date(2026, 6, 2),
        TODAY,
        {"client_id": "o'brien"},
    )
    monthly = parse_window("month", "", TODAY)
    assert (monthly.start, monthly.end) == (datetime.date(2025, 7, 1), TODAY)
