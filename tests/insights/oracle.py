"""An independent model of the insights numbers, computed from the raw events a test
generated (plain Python, none of the roll-up code)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

UA = {
    "win": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "android": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
}
OS_OF = {"win": "Windows", "iphone": "iOS", "android": "Android"}
IP = {"us": "8.8.8.8", "gb": "81.2.69.160", "lan": "10.1.2.3"}
COUNTRY_OF = {"us": "US", "gb": "GB", "lan": "unknown"}
ACTIVE = ("signin.succeeded", "signup.completed")


@dataclass(frozen=True)
class Ev:
    kind: str
    user: str | None
    app: str
    device: str
    place: str
    method: str
    detail: str
    at: datetime.datetime  # aware, any offset

    @property
    def day(self) -> datetime.date:
        return self.at.astimezone(datetime.UTC).date()

    @property
    def os(self) -> str:
        return OS_OF[self.device]

    @property
    def country(self) -> str:
        return COUNTRY_OF[self.place]


def data_of(ev: Ev) -> dict:
    key = {
        "signin.succeeded": "client_type",
        "signin.failed": "reason",
        "mfa.challenge": "result",
        "token.issued": "grant",
        "signup.completed": "idp",
    }.get(ev.kind)
    data = {"method": ev.method} if ev.method else {}
    if key and ev.detail:
        data[key] = ev.detail
    return data


def month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def daily_counts(events, by=()) -> Counter:
    out: Counter = Counter()
    for e in events:
        out[(e.day, e.kind, *(getattr(e, b) for b in by))] += 1
    return out


def active(events, bucket=lambda d: d, by=()) -> dict:
    users = defaultdict(set)
    for e in events:
        if e.kind in ACTIVE and e.user:
            users[(bucket(e.day), *(getattr(e, b) for b in by))].add(e.user)
    return {k: len(v) for k, v in users.items()}


def rolling(events, end: datetime.date, days: int) -> int:
    start = end - datetime.timedelta(days=days - 1)
    return len({e.user for e in events if e.kind in ACTIVE and e.user and start <= e.day <= end})


def inactive(events, population: dict[str, datetime.date], day: datetime.date, n: int) -> int:
    """population: user -> first day they existed."""
    window_start = day - datetime.timedelta(days=n)
    seen = {e.user for e in events if e.kind in ACTIVE and e.user and window_start < e.day <= day}
    return sum(1 for u, since in population.items() if since <= window_start and u not in seen)
