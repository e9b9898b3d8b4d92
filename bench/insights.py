"""Usage & insights at volume: roll-up time, dashboard and reports API latency, and what
the outbox write adds to a sign-in.

    python bench/insights.py [--events 10000000] [--users 200000] [--days 90] [--iterations 20]

Fills the tenant `benchins` of the benchmark database (BENCH_DATABASE_URL, default
ciam_bench_insights) with customers (INSERT … SELECT) and generated events (COPY), rolls
them all up (insights.rollup.roll_up_pending, as the beat task does) and prints the time
(target: under 5 minutes for 10,000,000 events), then times the three dashboard pages and
the five daily reports through the full Django stack (p95 target: under 200 ms), then the
cost of record_event (UA parsing, country lookup, one INSERT) inside a sign-in's
transaction."""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ciam_bench_insights"
)

from _setup import ROOT, machine_info, percentile, setup

# This file is named like the `insights` app: the app must win the import.
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if os.path.abspath(p or ".") != str(ROOT / "bench")
]
sys.path.append(str(ROOT / "bench"))

KINDS = (
    ["signin.succeeded"] * 60
    + ["signin.failed"] * 15
    + ["signup.completed"] * 5
    + ["mfa.challenge"] * 15
    + ["token.issued"] * 5
)
OS = ["Windows", "iOS", "Android", "Mac OS X", "Linux"]
COUNTRIES = ["US", "GB", "FR", "DE", "JP", "BR", "IN", "ES", "CA", "unknown"]
APPS = [f"bench-app-{i}" for i in range(5)]
DETAIL = {
    "signin.succeeded": ["browser", "native"],
    "signin.failed": ["bad_credentials", "locked", "unknown_user"],
    "mfa.challenge": ["success", "success", "failure"],
    "token.issued": ["authorization_code", "refresh_token"],
    "signup.completed": [""],
}
METHOD = {
    "mfa.challenge": ["totp", "email", "recovery_codes"],
}


def fill_users(schema: str, users: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".directory_user WHERE kind = %s', ["customer"]
        )
        have = cursor.fetchone()[0]
        if have < users:
            cursor.execute(
                f"""INSERT INTO "{schema}".directory_user (
                    id, password, email, display_name, given_name, surname, kind, is_active,
                    city, country, postal_code, state, street_address, job_title,
                    custom_attributes, external_id, scim_data, security_stamp,
                    must_change_password, created_at, updated_at)
                SELECT gen_random_uuid(), '!', 'bench' || g || '@example.com', '', '', '',
                    'customer', true, '', '', '', '', '', '', '{{}}'::jsonb, '', '{{}}'::jsonb,
                    md5(g::text), false, now() - make_interval(days => 200 - g %% 150), now()
                FROM generate_series(%s, %s) AS g""",
                [have + 1, users],
            )
        cursor.execute(
            f'SELECT id FROM "{schema}".directory_user WHERE kind = %s LIMIT %s',
            ["customer", users],
        )
        return [str(r[0]) for r in cursor.fetchall()]


def fill_events(schema: str, events: int, user_ids: list[str], days: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".insights_event')
        have = cursor.fetchone()[0]
        if have >= events:
            print(f"tenant already holds {have:,} events")
            return
        cursor.execute(
            f'TRUNCATE "{schema}".insights_event, "{schema}".insights_hourlycount, '
            f'"{schema}".insights_activeuserday'
        )
    rng = random.Random(13)
    now = datetime.now(UTC)
    span = days * 86400
    started = time.perf_counter()
    chunk = 200_000
    columns = (
        "id, kind, user_id, client_id, occurred_at, data, rolled_up, method, detail, os, "
        "browser, country, ip_address, flow_id"
    )
    with connection.cursor() as cursor:
        for offset in range(0, events, chunk):
            buf = io.StringIO()
            for _ in range(min(chunk, events - offset)):
                kind = rng.choice(KINDS)
                user = rng.choice(user_ids) if kind != "signin.failed" else "\\N"
                at = now - timedelta(seconds=rng.randrange(span))
                method = rng.choice(METHOD.get(kind, ["password", "email_otp"]))
                buf.write(
                    f"{uuid.uuid4()}\t{kind}\t{user}\t{rng.choice(APPS)}\t{at.isoformat()}\t"
                    f"{{}}\tf\t{method}\t{rng.choice(DETAIL[kind])}\t{rng.choice(OS)}\t"
                    f"Chrome\t{rng.choice(COUNTRIES)}\t\\N\t\\N\n"
                )
            with cursor.copy(f'COPY "{schema}".insights_event ({columns}) FROM STDIN') as copy:
                copy.write(buf.getvalue())
            print(f"\r  copied {offset + chunk:,} events", end="", flush=True)
        cursor.execute(f'ANALYZE "{schema}".insights_event')
    print(f"\ncopied {events:,} events in {time.perf_counter() - started:.0f} s")


def time_requests(label: str, fn, iterations: int) -> list[float]:
    fn()  # warm-up
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        response = fn()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    print(
        f"  {label:<44} p50 {percentile(timings, 50):7.1f} ms   "
        f"p95 {percentile(timings, 95):7.1f} ms"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()
    tenant = setup("benchins")
    from django.core.management import call_command

    call_command("migrate_schemas", "--schema", tenant.schema_name, verbosity=0)
    print(machine_info())
    user_ids = fill_users(tenant.schema_name, args.users)
    fill_events(tenant.schema_name, args.events, user_ids, args.days)

    from django.db import connection
    from django_tenants.utils import schema_context

    from insights import rollup

    with schema_context(tenant.schema_name):
        started = time.perf_counter()
        rolled = rollup.roll_up_pending(args.batch)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM insights_hourlycount")
            hourly = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM insights_activeuserday")
            daily_users = cursor.fetchone()[0]
            cursor.execute("ANALYZE insights_hourlycount; ANALYZE insights_activeuserday")
    print(
        f"roll-up: {rolled:,} events in {elapsed:.1f} s ({rolled / max(elapsed, 1e-9):,.0f}/s, "
        f"batches of {args.batch:,}); {hourly:,} hourly rows, {daily_users:,} user-day rows"
    )
    latency(tenant, args.iterations)
    outbox_cost(tenant)


def latency(tenant, iterations: int) -> None:
    import secrets

    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from applications.models import AccessToken, ApiPermission, Application
    from directory import services
    from directory.models import User

    email, password = "bench-reader@benchins.example", "Bench-Reader-Password-1"
    with schema_context(tenant.schema_name):
        User.objects.filter(email=email).delete()
        services.create_admin(
            email=email, password=password, roles=["insights_reader"], actor="bench"
        )
        app = Application.objects.create(
            name=f"bench-reports-{secrets.token_hex(3)}",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )
        ApiPermission.objects.create(
            client=app,
            kind=ApiPermission.Kind.APPLICATION,
            value="Reports.Read.All",
            admin_consented=True,
        )
        token = secrets.token_urlsafe(24)
        AccessToken.objects.create(
            application=app,
            token=token,
            scope="Reports.Read.All",
            expires=timezone.now() + timedelta(hours=2),
        )
    base = f"/t/{tenant.name}"
    admin = Client()
    assert (
        admin.post(f"{base}/admin/signin/", {"email": email, "password": password}).status_code
        == 302
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    print(f"dashboards and reports API, {iterations} requests each (full Django stack, in-process)")
    every: list[float] = []
    for page in ("", "authentications/", "mfa/"):
        every += time_requests(
            f"GET admin/insights/{page}",
            lambda p=page: admin.get(f"{base}/admin/insights/{p}"),
            iterations,
        )
    every += time_requests(
        "GET overview (this week panel)", lambda: admin.get(f"{base}/admin/"), iterations
    )
    for report in ("activeUsers", "signUps", "authentications", "mfaCompletions", "inactiveUsers"):
        path = f"{base}/api/v1/reports/userInsights/daily/{report}"
        every += time_requests(f"GET …/daily/{report}", lambda p=path: api.get(p), iterations)
    path = f"{base}/api/v1/reports/userInsights/monthly/activeUsers"
    every += time_requests("GET …/monthly/activeUsers", lambda: api.get(path), iterations)
    print(
        f"  {'ALL':<44} p50 {percentile(every, 50):7.1f} ms   p95 {percentile(every, 95):7.1f} ms"
    )


def outbox_cost(tenant, runs: int = 2000) -> None:
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django_tenants.utils import schema_context

    from insights.services import record_event

    rf = RequestFactory()
    agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    ]
    rng = random.Random(3)
    with schema_context(tenant.schema_name):

        def run(write: bool) -> list[float]:
            timings = []
            for i in range(runs):
                request = rf.get(
                    "/",
                    HTTP_USER_AGENT=rng.choice(agents) + f" r{i % 50}",
                    REMOTE_ADDR=f"{rng.randint(1, 220)}.{rng.randint(0, 255)}.1.{i % 250}",
                )
                started = time.perf_counter()
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT 1")  # the sign-in's own work stands for itself
                    if write:
                        record_event(
                            "signin.succeeded",
                            request=request,
                            user_id=uuid.uuid4(),
                            client_id="bench-app-0",
                            data={"method": "password", "client_type": "browser"},
                        )
                timings.append((time.perf_counter() - started) * 1000)
            return timings

        base = run(False)
        with_event = run(True)
    added = percentile(with_event, 50) - percentile(base, 50)
    print(
        f"outbox write on a sign-in ({runs} runs): transaction alone p50 "
        f"{percentile(base, 50):.3f} ms, with record_event p50 "
        f"{percentile(with_event, 50):.3f} ms / p95 {percentile(with_event, 95):.3f} ms "
        f"-> adds {added:.3f} ms (p50)"
    )


if __name__ == "__main__":
    main()
