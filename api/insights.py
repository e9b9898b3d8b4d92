"""Management API: usage reports shaped like Microsoft Graph's user-insights reports
(`/reports/userInsights/{daily|monthly}/{activeUsers|signUps|authentications|
mfaCompletions|inactiveUsers}`), so scripts written for those need only a new base URL.

`$filter` takes `factDate` comparisons (`ge`, `gt`, `le`, `lt`, `eq` with a `YYYY-MM-DD`
date) and `appId` / `os` / `country` equality (`appId eq '…'`), joined by `and`. Without
a date filter: the last 30 days (daily) or the last 12 months (monthly). Needs the
`Reports.Read.All` application permission."""

from __future__ import annotations

import datetime
import re
from typing import Any

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from insights import reports
from insights.reports import Window

from .base import ApiView

CLAUSE = re.compile(
    r"^\s*(?P<field>\w+)\s+(?P<op>eq|ge|gt|le|lt)\s+(?P<value>'(?:[^']|'')*'|[0-9-]+)\s*$",
    re.IGNORECASE,
)
FIELDS = {"appid": "client_id", "os": "os", "country": "country"}
MAX_DAYS = {"day": 366, "month": 3 * 366}


def parse_window(period: str, text: str, today: datetime.date) -> Window:
    """The report window of a `$filter` expression; ValidationError when it is not one."""
    start: datetime.date | None = None
    end: datetime.date | None = None
    filters: dict[str, str] = {}
    parts = re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE) if text.strip() else []
    for part in parts:
        match = CLAUSE.match(part)
        if match is None:
            raise ValidationError({"$filter": [f"Cannot read '{part.strip()[:80]}'."]})
        field, op, value = match["field"].lower(), match["op"].lower(), match["value"]
        if field == "factdate":
            try:
                day = datetime.date.fromisoformat(value.strip("'"))
            except ValueError:
                raise ValidationError({"$filter": ["factDate takes a YYYY-MM-DD date."]}) from None
            if op in ("ge", "eq"):
                start = max(start, day) if start else day
            if op in ("le", "eq"):
                end = min(end, day) if end else day
            if op == "gt":
                start = day + datetime.timedelta(days=1)
            if op == "lt":
                end = day - datetime.timedelta(days=1)
        elif field in FIELDS and op == "eq" and value.startswith("'"):
            filters[FIELDS[field]] = value[1:-1].replace("''", "'")[:100]
        else:
            raise ValidationError({"$filter": [f"Cannot filter on {match['field']} {op}."]})
    end = end or today
    if start is None:
        start = (
            end - datetime.timedelta(days=29) if period == "day" else reports.months_back(end, 12)
        )
    if period == "month":
        start = start.replace(day=1)
    if start > end:
        raise ValidationError({"$filter": ["The period is empty."]})
    if (end - start).days >= MAX_DAYS[period]:
        raise ValidationError({"$filter": ["The period is too long."]})
    return Window(start, end, period, filters)


def _id(*parts: Any) -> str:
    return "|".join(str(p) for p in parts)


def active_users(window: Window) -> list[dict[str, Any]]:
    return [
        {
            "id": _id(r["date"], r["client_id"], r["os"], r["country"]),
            "factDate": r["date"].isoformat(),
            "appId": r["client_id"],
            "os": r["os"],
            "country": r["country"],
            "count": r["count"],
        }
        for r in reports.active_users(window, ("client_id", "os", "country"))
    ]


def sign_ups(window: Window) -> list[dict[str, Any]]:
    return [
        {
            "id": _id(r["date"], r["client_id"], r["os"], r["country"], r["detail"]),
            "factDate": r["date"].isoformat(),
            "appId": r["client_id"],
            "os": r["os"],
            "country": r["country"],
            "identityProvider": r["detail"] or "local",
            "count": r["count"],
        }
        for r in reports.counts(
            ("signup.completed",), window, ("client_id", "os", "country", "detail")
        )
    ]


def authentications(window: Window) -> list[dict[str, Any]]:
    merged: dict[tuple, dict[str, Any]] = {}
    for r in reports.counts(reports.AUTH_METRICS, window, ("client_id", "os", "country")):
        key = (r["date"], r["client_id"], r["os"], r["country"])
        row = merged.setdefault(
            key,
            {
                "id": _id(*key),
                "factDate": r["date"].isoformat(),
                "appid": r["client_id"],
                "os": r["os"],
                "country": r["country"],
                "attemptsCount": 0,
                "successCount": 0,
            },
        )
        row["attemptsCount"] += r["count"]
        if r["metric"] == "signin.succeeded":
            row["successCount"] += r["count"]
    return list(merged.values())


def mfa_completions(window: Window) -> list[dict[str, Any]]:
    merged: dict[tuple, dict[str, Any]] = {}
    for r in reports.counts(("mfa.challenge",), window, ("client_id", "os", "method", "detail")):
        key = (r["date"], r["client_id"], r["os"], r["method"])
        row = merged.setdefault(
            key,
            {
                "id": _id(*key),
                "factDate": r["date"].isoformat(),
                "appId": r["client_id"],
                "os": r["os"],
                "mfaMethod": r["method"],
                "attemptsCount": 0,
                "successCount": 0,
            },
        )
        row["attemptsCount"] += r["count"]
        if r["detail"] == "success":
            row["successCount"] += r["count"]
    return list(merged.values())


def inactive_users(window: Window) -> list[dict[str, Any]]:
    if set(window.filters) - {"client_id"}:
        raise ValidationError({"$filter": ["inactiveUsers filters on factDate and appId only."]})
    app = window.filters.get("client_id")
    if window.period == "month":
        months = []
        month = window.start
        while month <= window.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return [
            {
                "id": _id(m, app or ""),
                "factDate": m.isoformat(),
                "appId": app or "",
                "inactiveCalendarMonthCount": reports.inactive_in_month(m, app),
            }
            for m in months
        ]
    days = [
        window.start + datetime.timedelta(days=i)
        for i in range((window.end - window.start).days + 1)
    ]
    by_window = {n: reports.inactive_users(days, n, app) for n in (30, 60, 90)}
    return [
        {
            "id": _id(d, app or ""),
            "factDate": d.isoformat(),
            "appId": app or "",
            "inactive30DayCount": by_window[30][d],
            "inactive60DayCount": by_window[60][d],
            "inactive90DayCount": by_window[90][d],
        }
        for d in days
    ]


REPORTS = {
    "activeUsers": active_users,
    "signUps": sign_ups,
    "authentications": authentications,
    "mfaCompletions": mfa_completions,
    "inactiveUsers": inactive_users,
}
PERIOD_OF = {"daily": "day", "monthly": "month"}


class UserInsightsReportView(ApiView):
    """GET /api/v1/reports/userInsights/{daily|monthly}/{report}"""

    read_permission = "Reports.Read.All"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, period: str, report: str) -> Response:
        if period not in PERIOD_OF or report not in REPORTS:
            raise NotFound("No such report.")
        today = datetime.datetime.now(datetime.UTC).date()
        window = parse_window(PERIOD_OF[period], request.query_params.get("$filter", ""), today)
        return Response(
            {
                "@odata.context": request.build_absolute_uri(request.path),
                "value": REPORTS[report](window),
            }
        )
