"""Report queries over the roll-ups (never over raw events, which are purged): the numbers
behind the admin dashboards and the Graph-shaped reports API. Days and months are UTC."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .rollup import COUNTER_METRIC

PERIODS = ("day", "month")
DIMENSIONS = ("client_id", "os", "country", "method", "detail")
AUTH_METRICS = ("signin.succeeded", "signin.failed")
TOKEN_METRICS = ("token.issued", COUNTER_METRIC)


@dataclass(frozen=True)
class Window:
    """A report's period: UTC days `start`..`end` inclusive, bucketed by day or month, and
    optional equality filters on the app, OS and country."""

    start: datetime.date
    end: datetime.date
    period: str = "day"
    filters: dict[str, str] = field(default_factory=dict)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        begin = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=datetime.UTC)
        stop = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        )
        return begin, stop


def _where(window: Window, params: dict[str, Any], allowed: tuple[str, ...]) -> str:
    clauses = []
    for name, value in sorted(window.filters.items()):
        if name not in allowed:
            raise ValueError(f"cannot filter on {name}")
        params[f"f_{name}"] = value
        clauses.append(f" AND {name} = %(f_{name})s")
    return "".join(clauses)


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def counts(
    metrics: tuple[str, ...], window: Window, group: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Event counts per period bucket (`date`), metric and the `group` dimensions."""
    if window.period not in PERIODS or any(g not in DIMENSIONS for g in group):
        raise ValueError("unknown period or dimension")
    begin, stop = window.bounds()
    params: dict[str, Any] = {"metrics": list(metrics), "begin": begin, "stop": stop}
    where = _where(window, params, DIMENSIONS)
    cols = "".join(f", {g}" for g in group)
    return _rows(
        f"""SELECT date_trunc('{window.period}', hour AT TIME ZONE 'UTC')::date AS date,
                   metric{cols}, sum(count)::bigint AS count
            FROM insights_hourlycount
            WHERE metric = ANY(%(metrics)s) AND hour >= %(begin)s AND hour < %(stop)s{where}
            GROUP BY 1, 2{cols} ORDER BY 1, 2{cols}""",
        params,
    )


def active_users(window: Window, group: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Distinct users with a sign-in (or sign-up) per period bucket and `group` (a user
    counts once per bucket, or once per bucket and group value)."""
    if window.period not in PERIODS or any(g not in DIMENSIONS[:3] for g in group):
        raise ValueError("unknown period or dimension")
    params: dict[str, Any] = {"start": window.start, "end": window.end}
    where = _where(window, params, DIMENSIONS[:3])
    cols = "".join(f", {g}" for g in group)
    return _rows(
        f"""SELECT date_trunc('{window.period}', day)::date AS date{cols},
                   count(DISTINCT user_id) AS count
            FROM insights_activeuserday
            WHERE day >= %(start)s AND day <= %(end)s{where}
            GROUP BY 1{cols} ORDER BY 1{cols}""",
        params,
    )


def rolling_active_users(end: datetime.date, days: int, filters: dict[str, str] | None = None):
    """Distinct active users over the `days` UTC days ending with `end`."""
    window = Window(end - datetime.timedelta(days=days - 1), end, "day", filters or {})
    params: dict[str, Any] = {"start": window.start, "end": window.end}
    where = _where(window, params, DIMENSIONS[:3])
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(DISTINCT user_id) FROM insights_activeuserday
                WHERE day >= %(start)s AND day <= %(end)s{where}""",
            params,
        )
        return int(cursor.fetchone()[0])


def inactive_users(
    days: list[datetime.date], inactive_for: int, app: str | None = None
) -> dict[datetime.date, int]:
    """For each day D: users who exist since before the `inactive_for`-day window
    (D - inactive_for, D] and signed in to none of it. Without `app` the population is the
    tenant's customer accounts (by creation date); with `app`, the users who had used that
    app before the window.

    One pass, not one probe per user and day: each user's active days are merged into
    islands (days closer than `inactive_for` apart) that keep them active until
    `inactive_for - 1` days after the island's last day; clipped to the days the user is
    counted at all (from `since + inactive_for`), the islands become +1/-1 steps whose
    running sum is the number of active-and-counted users on each day."""
    if not days:
        return {}
    n = inactive_for
    params: dict[str, Any] = {
        "days": days,
        "n": n,
        "app": app,
        "lo": min(days) - datetime.timedelta(days=n),
        "hi": max(days),
    }
    app_clause = " AND client_id = %(app)s" if app else ""
    if app:
        population = """SELECT user_id, min(day) AS since FROM insights_activeuserday
                         WHERE client_id = %(app)s GROUP BY user_id"""
    else:
        population = """SELECT id AS user_id, (created_at AT TIME ZONE 'UTC')::date AS since
                         FROM directory_user WHERE kind = 'customer'"""
    rows = _rows(
        f"""WITH pop AS MATERIALIZED ({population}),
            act AS (
                SELECT DISTINCT user_id, day FROM insights_activeuserday
                WHERE day > %(lo)s AND day <= %(hi)s{app_clause}
            ),
            brk AS (
                SELECT user_id, day,
                       CASE WHEN day - lag(day) OVER (PARTITION BY user_id ORDER BY day)
                            < %(n)s THEN 0 ELSE 1 END AS b
                FROM act
            ),
            isl AS (
                SELECT user_id, day,
                       sum(b) OVER (PARTITION BY user_id ORDER BY day) AS k
                FROM brk
            ),
            cover AS (
                SELECT c.user_id, greatest(c.s, p.since + %(n)s) AS s, c.e
                FROM (SELECT user_id, min(day) AS s, max(day) + %(n)s - 1 AS e
                      FROM isl GROUP BY user_id, k) c
                JOIN pop p ON p.user_id = c.user_id
            ),
            steps AS (
                SELECT s AS at, count(*) AS v FROM cover WHERE s <= e GROUP BY s
                UNION ALL
                SELECT e + 1, -count(*) FROM cover WHERE s <= e GROUP BY e
            ),
            steps_by_day AS (SELECT at, sum(v) AS v FROM steps GROUP BY at),
            eligible AS (SELECT since, count(*) AS v FROM pop GROUP BY since)
            SELECT d::date AS date,
                   (SELECT coalesce(sum(v), 0) FROM eligible WHERE since <= d::date - %(n)s)
                   - (SELECT coalesce(sum(v), 0) FROM steps_by_day WHERE at <= d::date)
                   AS count
            FROM unnest(%(days)s::date[]) AS d""",
        params,
    )
    return {r["date"]: int(r["count"]) for r in rows}


def inactive_in_month(month: datetime.date, app: str | None = None) -> int:
    """Users existing before calendar month `month` with no sign-in during it."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    span = (last - first).days + 1
    # "before the window" for inactive_users(last, span) is exactly "before the month"
    return inactive_users([last], span, app)[last]


def mfa_registrations() -> dict[str, int]:
    """Users with at least one registered authenticator, per MFA method."""
    rows = _rows(
        """SELECT type AS method, count(DISTINCT user_id) AS count
           FROM mfa_authenticator GROUP BY type ORDER BY type""",
        {},
    )
    return {r["method"]: int(r["count"]) for r in rows}


def months_back(end: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months - 1` months before `end`'s month."""
    year, month = end.year, end.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)
