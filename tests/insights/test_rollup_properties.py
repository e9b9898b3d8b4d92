"""Property: whatever events arrive (several tenants, apps, days, time zones, late events,
batch sizes, re-runs), every report number equals the count computed from the raw
events."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights import reports, rollup
from insights.reports import Window

from . import oracle
from .conftest import clear_insights, make_users, record
from .oracle import Ev

TODAY = datetime.datetime.now(datetime.UTC).date()
BASE = TODAY - datetime.timedelta(days=50)
USERS = ["u0", "u1", "u2", "u3", "u4"]
KINDS = ["signin.succeeded", "signin.failed", "signup.completed", "mfa.challenge", "token.issued"]


@st.composite
def events(draw) -> tuple[int, Ev]:
    day = BASE + datetime.timedelta(days=draw(st.integers(0, 45)))
    offset = datetime.timezone(datetime.timedelta(minutes=15 * draw(st.integers(-48, 56))))
    at = datetime.datetime.combine(
        day, datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))), tzinfo=offset
    )
    return draw(st.integers(0, 1)), Ev(
        kind=draw(st.sampled_from(KINDS)),
        user=draw(st.sampled_from([*USERS, None])),
        app=draw(st.sampled_from(["app-a", "app-b", ""])),
        device=draw(st.sampled_from(sorted(oracle.UA))),
        place=draw(st.sampled_from(sorted(oracle.IP))),
        method=draw(st.sampled_from(["password", "email_otp", "totp", ""])),
        detail=draw(st.sampled_from(["browser", "native", "success", "failure", ""])),
        at=at,
    )


def check_api(api, evs: list[Ev], population: dict[str, datetime.date]) -> None:
    """The Graph-shaped reports API gives the same numbers."""
    start = (BASE - datetime.timedelta(days=2)).isoformat()
    flt = {"$filter": f"factDate ge {start} and factDate le {TODAY.isoformat()}"}

    def rows(path, params=flt):
        response = api.get(f"/reports/userInsights/{path}", params)
        assert response.status_code == 200, response.content
        return response.json()["value"]

    got = {
        (r["factDate"], r["appId"], r["os"], r["country"]): r["count"]
        for r in rows("daily/activeUsers")
    }
    want = oracle.active(evs, by=("app", "os", "country"))
    assert got == {(k[0].isoformat(), *k[1:]): v for k, v in want.items()}
    auth: dict = {}
    for r in rows("daily/authentications"):
        key = (r["factDate"], r["appid"])
        a, s_ = auth.get(key, (0, 0))
        auth[key] = (a + r["attemptsCount"], s_ + r["successCount"])
    want_auth: dict = {}
    for e in evs:
        if e.kind in ("signin.succeeded", "signin.failed"):
            key = (e.day.isoformat(), e.app)
            a, s_ = want_auth.get(key, (0, 0))
            want_auth[key] = (a + 1, s_ + (e.kind == "signin.succeeded"))
    assert auth == want_auth
    mfa = {}
    for r in rows("monthly/mfaCompletions"):
        key = (r["factDate"], r["mfaMethod"])
        a, s_ = mfa.get(key, (0, 0))
        mfa[key] = (a + r["attemptsCount"], s_ + r["successCount"])
    want_mfa: dict = {}
    for e in evs:
        if e.kind == "mfa.challenge":
            key = (oracle.month(e.day).isoformat(), e.method)
            a, s_ = want_mfa.get(key, (0, 0))
            want_mfa[key] = (a + 1, s_ + (e.detail == "success"))
    assert mfa == want_mfa
    signups = sum(
        r["count"]
        for r in rows("daily/signUps", {"$filter": flt["$filter"] + " and appId eq 'app-a'"})
    )
    assert signups == sum(1 for e in evs if e.kind == "signup.completed" and e.app == "app-a")
    day = BASE + datetime.timedelta(days=44)
    [row] = rows("daily/inactiveUsers", {"$filter": f"factDate eq {day.isoformat()}"})
    assert (row["inactive30DayCount"], row["inactive90DayCount"]) == (
        oracle.inactive(evs, population, day, 30),
        oracle.inactive(evs, population, day, 90),
    )


def check_dashboards(admin, info, evs: list[Ev], population: dict[str, datetime.date]) -> None:
    """The admin center's charts show the same numbers."""
    end = BASE + datetime.timedelta(days=44)
    start = end - datetime.timedelta(days=29)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    charts = {
        c["id"]: c for c in admin.get(info.url("/admin/insights/"), query).context["charts_json"]
    }
    daily = charts["daily-users"]
    series = {s["label"]: s["data"] for s in daily["series"]}
    days = [start + datetime.timedelta(days=i) for i in range(30)]
    active = oracle.active(evs)
    assert series["Active users"] == [active.get((d,), 0) for d in days]
    assert series["Inactive users (30 days)"] == [
        oracle.inactive(evs, population, d, 30) for d in days
    ]
    auth = admin.get(info.url("/admin/insights/authentications/"), {**query, "app": "app-b"})
    outcome = {
        s["label"]: s["data"]
        for c in auth.context["charts_json"]
        if c["id"] == "auth-daily-outcome"
        for s in c["series"]
    }
    for label, kind in (("Successful", "signin.succeeded"), ("Failed", "signin.failed")):
        want = [
            sum(1 for e in evs if e.kind == kind and e.app == "app-b" and e.day == d) for d in days
        ]
        assert outcome.get(label, [0] * 30) == want


def check_tenant(evs: list[Ev], population: dict[str, datetime.date]) -> None:
    start, end = BASE - datetime.timedelta(days=2), TODAY
    metrics = tuple(KINDS)
    # counts per day and app
    got = {
        (r["date"], r["metric"], r["client_id"]): r["count"]
        for r in reports.counts(metrics, Window(start, end), ("client_id",))
    }
    assert got == dict(oracle.daily_counts(evs, ("app",)))
    # counts per month, OS, country and detail
    got = {
        (r["date"], r["metric"], r["os"], r["country"], r["detail"]): r["count"]
        for r in reports.counts(metrics, Window(start, end, "month"), ("os", "country", "detail"))
    }
    want: dict = {}
    for e in evs:
        key = (oracle.month(e.day), e.kind, e.os, e.country, e.detail)
        want[key] = want.get(key, 0) + 1
    assert got == want
    # distinct active users: per day and app, per month, rolling 7 and 30 days
    got = {
        (r["date"], r["client_id"]): r["count"]
        for r in reports.active_users(Window(start, end), ("client_id",))
    }
    assert got == oracle.active(evs, by=("app",))
    got = {r["date"]: r["count"] for r in reports.active_users(Window(start, end, "month"))}
    assert got == {k[0]: v for k, v in oracle.active(evs, bucket=oracle.month).items()}
    for offset in (0, 10, 25, 40):
        day = BASE + datetime.timedelta(days=offset)
        assert reports.rolling_active_users(day, 7) == oracle.rolling(evs, day, 7)
        assert reports.rolling_active_users(day, 30) == oracle.rolling(evs, day, 30)
    # inactive users (30 days) on a few days, tenant-wide
    days = [BASE + datetime.timedelta(days=d) for d in (5, 31, 44)]
    assert reports.inactive_users(days, 30) == {
        d: oracle.inactive(evs, population, d, 30) for d in days
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(events(), max_size=30),
    late=st.lists(events(), max_size=12),
    batch=st.integers(1, 9),
    rebuild_from=st.integers(0, 50),
    created=st.lists(st.integers(0, 45), min_size=len(USERS), max_size=len(USERS)),
)
def test_reports_equal_counts_from_raw_events(
    insights_tenants, report_apis, insights_admins, first, late, batch, rebuild_from, created
):
    # given: the same users in each tenant, created on random days
    population = {u: BASE + datetime.timedelta(days=c) for u, c in zip(USERS, created, strict=True)}
    ids = []
    for info in insights_tenants:
        with info.context():
            clear_insights()
            ids.append(make_users(population))
    # when: events, a roll-up, late events into old windows, a roll-up, a rebuild
    for stream in (first, late):
        for t, ev in stream:
            with insights_tenants[t].context():
                record(ev, ids[t])
        for info in insights_tenants:
            with info.context():
                rollup.roll_up_pending(batch)
    for info in insights_tenants:
        with info.context():
            rollup.rebuild(BASE + datetime.timedelta(days=rebuild_from), batch=batch)
    # then: each tenant's numbers come from its own events only
    for t, info in enumerate(insights_tenants):
        evs = [ev for tt, ev in first + late if tt == t]
        with info.context():
            check_tenant(evs, population)
        check_api(report_apis[t], evs, population)
        check_dashboards(insights_admins[t], info, evs, population)
