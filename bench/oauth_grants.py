"""Benchmark: client-credentials and refresh-token grants per second through the
production web server (gunicorn), load generator on the same machine.

    python bench/oauth_grants.py [--workers 2] [--threads 4] [--connections 8]
                                 [--seconds 15] [--profile]

Uses DATABASE_URL / REDIS_URL like the app (the database is migrated and a tenant
`benchco` with a daemon app and a web app is created on first run). Prints machine info,
requests per second and p50/p99 latency per grant; --profile also prints where the time
of one client-credentials request goes (cProfile, in process)."""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
TENANT = "benchco"


def setup_data(connections: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from applications import services
    from applications.models import AccessToken, Application, RefreshToken
    from directory.models import User
    from tenants import services as tenant_services
    from tenants.models import Tenant

    call_command("migrate_all_tenants", verbosity=0)
    tenant = Tenant.objects.filter(name=TENANT, deleted_at__isnull=True).first()
    if tenant is None:
        tenant = tenant_services.create_tenant(
            name=TENANT,
            display_name="Bench",
            admin_email="admin@benchco.example",
            admin_password="Bench-Password-123",
            created_by="bench",
            use_pool=False,
        ).tenant
    with schema_context(tenant.schema_name):
        Application.objects.filter(name__startswith="bench ").delete()
        daemon, daemon_secret = services.register_application(
            name="bench daemon", app_type="daemon", redirect_uris=[], actor="bench"
        )
        services.grant_api_permission(daemon, value="User.Read.All", actor="bench")
        web, web_secret = services.register_application(
            name="bench web",
            app_type="web",
            redirect_uris=["https://bench.example/cb"],
            actor="bench",
        )
        user = User.objects.filter(email="bench-user@example.com").first() or (
            User.objects.create_user(email="bench-user@example.com", kind="customer")
        )
        refresh_tokens = []
        for _ in range(connections):
            raw_access, raw_refresh = uuid.uuid4().hex * 2, uuid.uuid4().hex * 2
            access = AccessToken.objects.create(
                user=user,
                application=web,
                token=raw_access,
                token_checksum=hashlib.sha256(raw_access.encode()).hexdigest(),
                expires=timezone.now() + timedelta(hours=1),
                scope="openid offline_access",
            )
            RefreshToken.objects.create(
                user=user,
                application=web,
                access_token=access,
                token=raw_refresh,
                token_checksum=hashlib.sha256(raw_refresh.encode()).hexdigest(),
                token_family=uuid.uuid4(),
            )
            refresh_tokens.append(raw_refresh)
    return {
        "daemon": (daemon.client_id, daemon_secret),
        "web": (web.client_id, web_secret),
        "refresh_tokens": refresh_tokens,
    }


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def load_worker(args: tuple) -> tuple[list[float], int]:
    port, grant, creds, refresh_token, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Authorization": basic(*creds),
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": "127.0.0.1",
    }
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if grant == "client_credentials":
            body = "grant_type=client_credentials"
        else:
            body = urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token})
        started = time.perf_counter()
        try:
            conn.request("POST", f"/t/{TENANT}/oauth2/v2.0/token", body, headers)
            response = conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors += 1
        elif grant == "refresh_token":
            refresh_token = json.loads(data)["refresh_token"]
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    return latencies, errors


def run_load(port: int, grant: str, creds, refresh_tokens, connections: int, seconds: float):
    jobs = [
        (port, grant, creds, refresh_tokens[i] if refresh_tokens else "", seconds)
        for i in range(connections)
    ]
    with mp.Pool(connections) as pool:
        results = pool.map(load_worker, jobs)
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    print(
        f"{grant:20s} {count / seconds:8.0f} req/s   p50 {pct(0.50):6.1f} ms   "
        f"p99 {pct(0.99):6.1f} ms   requests {count}   errors {errors}"
    )


def machine_info() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import django

    return (
        f"machine: {cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"Django {django.get_version()}; {platform.platform()}"
    )


def profile(creds) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    auth = basic(*creds)
    for _ in range(20):
        client.post(
            f"/t/{TENANT}/oauth2/v2.0/token",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=auth,
        )
    profiler = cProfile.Profile()
    profiler.enable()
    n = 300
    started = time.perf_counter()
    for _ in range(n):
        client.post(
            f"/t/{TENANT}/oauth2/v2.0/token",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=auth,
        )
    profiler.disable()
    print(
        f"\nin-process (profiled) client credentials: "
        f"{(time.perf_counter() - started) / n * 1000:.2f} ms per request"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--profile", action="store_true")
    opts = parser.parse_args()

    data = setup_data(opts.connections)
    print(machine_info())
    print(
        f"server: gunicorn gthread, {opts.workers} workers x {opts.threads} threads; "
        f"load: {opts.connections} keep-alive connections from {opts.connections} processes "
        f"on the same machine; {opts.seconds:.0f} s per grant"
    )
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ciam.wsgi",
            "-k",
            "gthread",
            "-w",
            str(opts.workers),
            "--threads",
            str(opts.threads),
            "-b",
            f"127.0.0.1:{opts.port}",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", opts.port, timeout=2)
                conn.request("GET", f"/t/{TENANT}/.well-known/openid-configuration")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # warm up every worker (key cache, connections)
        run_load(opts.port, "client_credentials", data["daemon"], None, opts.connections, 2)
        print("--- measured ---")
        run_load(
            opts.port, "client_credentials", data["daemon"], None, opts.connections, opts.seconds
        )
        run_load(
            opts.port,
            "refresh_token",
            data["web"],
            data["refresh_tokens"],
            opts.connections,
            opts.seconds,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    if opts.profile:
        from django_tenants.utils import schema_context  # noqa: F401

        profile(data["daemon"])


if __name__ == "__main__":
    main()
