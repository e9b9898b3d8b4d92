"""Password sign-ins per second through the native authentication API, beside the page
path, in the same run with the same hasher.

One command:  python3 dev.py bench native_signin  [--seconds 15] [--concurrency 8]
              [--workers 2]

Prepares the `bench` tenant (bench/signin_throughput.py: 200 customers, the configured
Argon2id hasher) and a public app enabled for native authentication, starts granian on a
free loopback port (rate limits off: every request comes from one address), then measures
each path for the given time, from the first request to tokens issued:

- pages:  GET /oauth2/v2.0/authorize -> sign-in page -> POST credentials -> back to
          /authorize (code) -> POST /oauth2/v2.0/token (PKCE)
- native: POST /oauth2/v2.0/initiate -> /oauth2/v2.0/challenge -> /oauth2/v2.0/token

Prints both rates, their ratio, CPU per sign-in and machine facts."""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from _proc import cpu_model, cpu_seconds, process_tree
from signin_throughput import CSRF_RE, CUSTOMERS, EMAILS, PASSWORD, free_port, prepare

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "bench-native-app"
REDIRECT_URI = "http://127.0.0.1/bench-callback"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def prepare_app() -> None:
    from django_tenants.utils import schema_context

    from applications.models import Application
    from tenants.models import Tenant

    tenant = Tenant.objects.get(name="bench")
    with schema_context(tenant.schema_name):
        Application.objects.update_or_create(
            client_id=CLIENT_ID,
            defaults={
                "name": "Bench native",
                "client_type": "public",
                "app_type": "native",
                "authorization_grant_type": "authorization-code",
                "redirect_uris": REDIRECT_URI,
                "native_auth_enabled": True,
                "skip_authorization": True,
            },
        )


_counter = iter(range(10**9))
_lock = threading.Lock()


def _email() -> str:
    with _lock:
        return EMAILS[next(_counter) % CUSTOMERS]


def page_sign_in(base: str) -> bool:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid offline_access",
        "state": "s",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    with requests.Session() as s:
        r = s.get(f"{base}/oauth2/v2.0/authorize?{urlencode(query)}", timeout=30)
        token = CSRF_RE.search(r.text)
        if r.status_code != 200 or not token:
            return False
        r = s.post(
            r.url,
            data={"login": _email(), "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": r.url},
            allow_redirects=False,
            timeout=30,
        )
        if r.status_code != 302:
            return False
        r = s.get(urljoin(base, r.headers["Location"]), allow_redirects=False, timeout=30)
        location = r.headers.get("Location", "")
        if not location.startswith(REDIRECT_URI):
            return False
        code = parse_qs(urlsplit(location).query)["code"][0]
        r = s.post(
            f"{base}/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            headers=FORM,
            timeout=30,
        )
        return r.status_code == 200 and "id_token" in r.json()


def native_sign_in(base: str) -> bool:
    with requests.Session() as s:
        r = s.post(
            f"{base}/oauth2/v2.0/initiate",
            headers=FORM,
            timeout=30,
            data={
                "client_id": CLIENT_ID,
                "username": _email(),
                "challenge_type": "oob password redirect",
            },
        )
        if r.status_code != 200:
            return False
        r = s.post(
            f"{base}/oauth2/v2.0/challenge",
            headers=FORM,
            timeout=30,
            data={"client_id": CLIENT_ID, "continuation_token": r.json()["continuation_token"]},
        )
        if r.json().get("challenge_type") != "password":
            return False
        r = s.post(
            f"{base}/oauth2/v2.0/token",
            headers=FORM,
            timeout=30,
            data={
                "client_id": CLIENT_ID,
                "continuation_token": r.json()["continuation_token"],
                "grant_type": "password",
                "password": PASSWORD,
                "scope": "openid offline_access",
            },
        )
        return r.status_code == 200 and "id_token" in r.json()


def measure(name, fn, base, seconds, concurrency, server_pid):
    for _ in range(4):
        fn(base)  # warm-up: imports, connections
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = fn(base)
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures += 1

    cpu_before = cpu_seconds(process_tree(server_pid))
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(process_tree(server_pid)) - cpu_before
    latencies.sort()
    rate = len(latencies) / elapsed
    print(f"{name}: {len(latencies)} ok, {failures} failed in {elapsed:.1f} s -> {rate:.1f}/s")
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
        print(
            f"  latency p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
            f"server CPU per sign-in {cpu / len(latencies) * 1000:.0f} ms"
        )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    prepare()
    prepare_app()
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
        page = measure("pages ", page_sign_in, base, args.seconds, args.concurrency, server.pid)
        native = measure("native", native_sign_in, base, args.seconds, args.concurrency, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}")
    print(f"load average before/after: {load_before} / {os.getloadavg()}")
    print(
        f"server: granian (WSGI), {args.workers} workers x 1 blocking thread; "
        f"clients: {args.concurrency} threads"
    )
    ratio = native / page if page else 0.0
    print(f"native / pages: {ratio:.2f} (target >= 0.9: {'met' if ratio >= 0.9 else 'NOT met'})")
    print(f"pages >= 40/s: {'met' if page >= 40 else 'NOT met'}")


if __name__ == "__main__":
    main()
