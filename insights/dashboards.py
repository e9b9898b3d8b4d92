"""The admin center's Usage & insights charts: each chart is labels plus named series,
built from `insights.reports` for an app filter and a date range; the same data feeds
the Chart.js canvas, the table under it and its CSV export."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from . import reports
from .reports import Window

DAYS_DEFAULT = 30
CSV_UNSAFE = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Filters:
    app: str = ""
    start: datetime.date = field(default_factory=lambda: _today() - datetime.timedelta(days=29))
    end: datetime.date = field(default_factory=lambda: _today())

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        """Filters from a query string; bad or missing values fall back to the last 30
        days, and a range is at most a year."""
        end = _date(query.get("to")) or _today()
        start = _date(query.get("from")) or end - datetime.timedelta(days=DAYS_DEFAULT - 1)
        if start > end:
            start, end = end, start
        start = max(start, end - datetime.timedelta(days=365))
        return cls(app=(query.get("app") or "")[:100], start=start, end=end)

    def window(self, period: str = "day", start: datetime.date | None = None) -> Window:
        filters = {"client_id": self.app} if self.app else {}
        return Window(start or self.start, self.end, period, filters)

    def months(self) -> list[datetime.date]:
        month = reports.months_back(self.end, 12)
        months = []
        for _ in range(12):
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    def days(self) -> list[datetime.date]:
        return [
            self.start + datetime.timedelta(days=i) for i in range((self.end - self.start).days + 1)
        ]


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # line, bar
    labels: list[str]
    series: dict[str, list[int]]
    stacked: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "stacked": self.stacked,
            "labels": self.labels,
            "series": [{"label": k, "data": v} for k, v in self.series.items()],
        }

    def rows(self) -> list[list[Any]]:
        return [
            [label, *(values[i] for values in self.series.values())]
            for i, label in enumerate(self.labels)
        ]


def _series(rows, key_of, labels, value="count") -> dict[str, list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    out: dict[str, list[int]] = {}
    for r in rows:
        name = key_of(r)
        out.setdefault(name, [0] * len(labels))
        i = index.get(r["date"].isoformat())
        if i is not None:
            out[name][i] += r[value]
    return dict(sorted(out.items()))


def _month_labels(f: Filters) -> list[str]:
    return [m.isoformat() for m in f.months()]


def users_charts(f: Filters, apps: list[str]) -> list[Chart]:
    day_labels = [d.isoformat() for d in f.days()]
    active = {r["date"].isoformat(): r["count"] for r in reports.active_users(f.window())}
    inactive = reports.inactive_users(f.days(), 30, f.app or None)
    months = _month_labels(f)
    mwin = f.window("month", f.months()[0])
    monthly = {r["date"].isoformat(): r["count"] for r in reports.active_users(mwin)}
    mau = {"All apps": [monthly.get(m, 0) for m in months]}
    if not f.app:
        per_app = reports.active_users(mwin, ("client_id",))
        for name, values in _series(per_app, lambda r: r["client_id"] or "(none)", months).items():
            if name in apps or name == "(none)":
                mau[name] = values
    signups = reports.counts(("signup.completed",), mwin, ("os",))
    return [
        Chart(
            "daily-users",
            "Daily active and inactive users",
            "line",
            day_labels,
            {
                "Active users": [active.get(d, 0) for d in day_labels],
                "Inactive users (30 days)": [inactive[d] for d in f.days()],
            },
        ),
        Chart("monthly-active", "Monthly active users", "bar", months, mau),
        Chart(
            "new-users",
            "New users by operating system",
            "bar",
            months,
            _series(signups, lambda r: r["os"], months),
            stacked=True,
        ),
    ]


def authentication_charts(f: Filters) -> list[Chart]:
    day_labels = [d.isoformat() for d in f.days()]
    daily = reports.counts(reports.AUTH_METRICS, f.window(), ("os",))
    months = _month_labels(f)
    monthly = reports.counts(reports.AUTH_METRICS, f.window("month", f.months()[0]), ("country",))
    outcome = _series(
        daily,
        lambda r: "Successful" if r["metric"] == "signin.succeeded" else "Failed",
        day_labels,
    )
    return [
        Chart(
            "auth-daily-os",
            "Daily authentications by operating system",
            "bar",
            day_labels,
            _series(daily, lambda r: r["os"], day_labels),
            stacked=True,
        ),
        Chart(
            "auth-daily-outcome", "Daily authentications by outcome", "line", day_labels, outcome
        ),
        Chart(
            "auth-monthly-country",
            "Monthly authentications by country",
            "bar",
            months,
            _series(monthly, lambda r: r["country"], months),
            stacked=True,
        ),
    ]


def mfa_charts(f: Filters) -> list[Chart]:
    registered = reports.mfa_registrations()
    methods: dict[str, list[int]] = {}
    for r in reports.counts(("mfa.challenge",), f.window("month", f.start), ("method", "detail")):
        attempts, successes = methods.setdefault(r["method"] or "unknown", [0, 0])
        methods[r["method"] or "unknown"] = [
            attempts + r["count"],
            successes + (r["count"] if r["detail"] == "success" else 0),
        ]
    names = sorted(methods)
    return [
        Chart(
            "mfa-registered",
            "Users registered per MFA method",
            "bar",
            sorted(registered),
            {"Users": [registered[m] for m in sorted(registered)]},
        ),
        Chart(
            "mfa-methods",
            "MFA attempts and successes by method",
            "bar",
            names,
            {
                "Attempts": [methods[m][0] for m in names],
                "Successes": [methods[m][1] for m in names],
            },
        ),
    ]


def overview_summary() -> dict[str, Any]:
    """This week's (last 7 UTC days) active users, sign-ups and failed sign-ins, each with
    its daily series for a sparkline."""
    end = _today()
    start = end - datetime.timedelta(days=6)
    days = [(start + datetime.timedelta(days=i)).isoformat() for i in range(7)]
    window = Window(start, end)
    active = {r["date"].isoformat(): r["count"] for r in reports.active_users(window)}
    counts = reports.counts(("signup.completed", "signin.failed"), window)
    series = _series(counts, lambda r: r["metric"], days)
    return {
        "Active users this week": (
            reports.rolling_active_users(end, 7),
            [active.get(d, 0) for d in days],
        ),
        "Sign-ups this week": (
            sum(series.get("signup.completed", [])),
            series.get("signup.completed", [0] * 7),
        ),
        "Failed sign-ins this week": (
            sum(series.get("signin.failed", [])),
            series.get("signin.failed", [0] * 7),
        ),
    }


def sparkline_points(values: list[int], width: int = 120, height: int = 28) -> str:
    """SVG polyline points of a small line chart."""
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(CSV_UNSAFE):
        return "'" + value
    return value


def to_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in ["date or value", *chart.series]])
    for row in chart.rows():
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()
