"""Password sign-ins per second through the production web server.

One command:  /work/main/.venv/bin/python bench/signin_throughput.py [--seconds 20]
              [--concurrency 8] [--workers 2]

It prepares a `bench` tenant with one customer in DATABASE_URL's database, starts granian
(one blocking thread per worker, the configured Argon2id hasher) on a free loopback port,
and has N client threads each do complete sign-ins (GET the sign-in page for its CSRF
token, POST email and password, expect the redirect) for the given time. Rate limits are
switched off for the server (CIAM_RATE_LIMITS=off) because every request comes from one
address; smart lockout stays on (it only counts failures). Prints sign-ins per second,
latency percentiles and machine facts."""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from _proc import cpu_model, cpu_seconds, process_tree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
PASSWORD = "Bench-Password-Lighthouse-7"
CUSTOMERS = 200  # sign-ins rotate over many accounts, as real traffic does
EMAILS = [f"bench-{n}@example.com" for n in range(CUSTOMERS)]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    call_command("migrate_schemas", "--shared", verbosity=0)
    from tenants import services
    from tenants.models import Tenant

    services.ensure_template_schema()
    tenant = (
        Tenant.objects.filter(name="bench").first()
        or services.create_tenant(
            name="bench",
            display_name="Bench",
            admin_email="admin@bench.example",
            admin_password=PASSWORD,
            created_by="bench",
            use_pool=False,
        ).tenant
    )
    with schema_context(tenant.schema_name):
        from allauth.account.models import EmailAddress
        from allauth.usersessions.models import UserSession
        from django.contrib.auth.hashers import make_password

        from directory.models import User

        hashed = make_password(PASSWORD)  # the configured hasher, one salt for speed
        existing = set(User.objects.filter(email__in=EMAILS).values_list("email", flat=True))
        new = [User(email=e, kind="customer", password=hashed) for e in EMAILS if e not in existing]
        User.objects.bulk_create(new)
        User.objects.filter(email__in=EMAILS).update(password=hashed)
        for user in User.objects.filter(email__in=EMAILS).exclude(emailaddress__isnull=False):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        # sessions left by earlier runs are not part of this run's load
        UserSession.objects.filter(user__email__in=EMAILS).delete()
        print(f"hasher: {hashed.split('$')[0]} {hashed.split('$')[1]} {hashed.split('$')[3]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_counter = iter(range(10**9))
_counter_lock = threading.Lock()


def sign_in(base: str) -> bool:
    with _counter_lock:
        email = EMAILS[next(_counter) % CUSTOMERS]
    with requests.Session() as session:
        page = session.get(f"{base}/account/login/", timeout=30)
        token = CSRF_RE.search(page.text)
        if not token:
            return False
        response = session.post(
            f"{base}/account/login/",
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{base}/account/login/"},
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code == 302 and "/account/profile/" in response.headers["Location"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    prepare()
    load_before = os.getloadavg()
    port = free_port()
    env = {**os.environ, "CIAM_RATE_LIMITS": "off", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--workers", str(args.workers), "--blocking-threads", "1",
            "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning", "ciam.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/t/bench"
    try:
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        for _ in range(4):  # warm-up: imports, connections
            sign_in(base)
        latencies: list[float] = []
        failures = 0
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def client() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                ok = sign_in(base)
                with lock:
                    if ok:
                        latencies.append(time.perf_counter() - started)
                    else:
                        failures += 1

        cpu_before = cpu_seconds(process_tree(server.pid))
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        worker_cpu = cpu_seconds(process_tree(server.pid)) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    rate = len(latencies) / elapsed
    cpu = cpu_model()
    print(f"machine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}")
    print(f"load average before/after: {load_before} / {os.getloadavg()}")
    print(
        f"server: granian (WSGI), {args.workers} workers x 1 blocking thread; "
        f"clients: {args.concurrency} threads"
    )
    print(f"sign-ins: {len(latencies)} ok, {failures} failed in {elapsed:.1f} s")
    print(f"rate: {rate:.1f} password sign-ins/s (each = GET sign-in page + POST credentials)")
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
        print(f"latency per sign-in: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    if latencies:
        per = worker_cpu / len(latencies) * 1000
        print(
            f"web worker CPU per sign-in: {per:.0f} ms -> at most "
            f"{args.workers * 1000 / per:.0f} sign-ins/s if {args.workers} cores were free"
        )
    print("target: >= 30 sign-ins/s:", "met" if rate >= 30 else "NOT met")


if __name__ == "__main__":
    main()
