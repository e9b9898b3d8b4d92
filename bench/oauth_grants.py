"""Benchmark: client-credentials and refresh-token grants per second through the
production web server (granian), load generator on the same machine.

    python3 dev.py bench oauth_grants [--workers 2] [--threads 4] [--connections 8]
                                      [--seconds 15] [--profile]

Uses DATABASE_URL / REDIS_URL like the app (the database is migrated and a tenant
`benchco` with two daemon apps, ES256 and RS256, and a web app is created on first run).
The load generator is wrk (Debian package `wrk`) over keep-alive connections; without
wrk, Python processes do the same, at a higher cost in CPU on this shared machine. Each
refresh-token connection follows its own rotation chain (every request sends the
refresh token the previous one returned).

Prints the machine, the server's shape, then per grant: requests per second, p50/p99
latency, errors, the server's CPU seconds per request and its memory (RSS of all its
processes); --profile also prints where the time of one client-credentials request goes
(cProfile, in process)."""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from _proc import cpu_model, cpu_seconds, process_tree, rss_mib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
TENANT = "benchco"
TOKEN_PATH = f"/t/{TENANT}/oauth2/v2.0/token"
CODES = 12000  # authorization codes made for the code-exchange run
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


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
    daemons = {}
    with schema_context(tenant.schema_name):
        Application.objects.filter(name__startswith="bench ").delete()
        for algorithm in ("ES256", "RS256"):
            daemon, secret = services.register_application(
                name=f"bench daemon {algorithm}", app_type="daemon", redirect_uris=[], actor="bench"
            )
            services.update_application(daemon, actor="bench", algorithm=algorithm)
            services.grant_api_permission(daemon, value="User.Read.All", actor="bench")
            daemons[algorithm] = (daemon.client_id, secret)
        web, web_secret = services.register_application(
            name="bench web",
            app_type="web",
            redirect_uris=["https://bench.example/cb"],
            actor="bench",
        )
        services.update_application(web, actor="bench", algorithm="ES256")
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
        # authorization codes (PKCE S256, one verifier) for the code exchange runs
        from applications import device
        from applications.models import Grant
        from applications.validator import code_digest

        verifier = "bench-verifier-" + "x" * 40
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        codes = [uuid.uuid4().hex for _ in range(CODES)]
        Grant.objects.bulk_create(
            [
                Grant(
                    user=user,
                    code=code_digest(code),
                    application=web,
                    expires=timezone.now() + timedelta(minutes=30),
                    redirect_uri="https://bench.example/cb",
                    scope="openid offline_access",
                    code_challenge=challenge,
                    code_challenge_method="S256",
                    auth_time=timezone.now(),
                )
                for code in codes
            ],
            batch_size=1000,
        )
        device_codes = [
            device.start(web.client_id, ["openid"])["device_code"] for _ in range(connections)
        ]
    return {
        "daemons": daemons,
        "web": (web.client_id, web_secret),
        "refresh": refresh_tokens,
        "codes": [codes[i::connections] for i in range(connections)],
        "verifier": verifier,
        "device": device_codes,
    }


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


# -- load generators ------------------------------------------------------------------------
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "%(authorization)s"
local refresh_tokens = {%(refresh_tokens)s}
local grant = "%(grant)s"
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("rt", refresh_tokens[next_thread] or "")
end
function request()
  if grant == "refresh_token" then
    return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. rt)
  end
  return wrk.format(nil, nil, nil, "grant_type=client_credentials")
end
function response(status, headers, body)
  if grant == "refresh_token" and status == 200 then
    local token = body:match('"refresh_token"%%s*:%%s*"([^"]+)"')
    if token then rt = token end
  end
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(port: int, grant: str, creds, refresh_tokens, connections: int, seconds: float):
    """wrk; for refresh tokens one thread per connection, so that each follows its own
    refresh-token chain (client credentials: two threads, fewer context switches)."""
    threads = connections if grant == "refresh_token" else min(2, connections)
    script = WRK_SCRIPT % {
        "authorization": basic(*creds),
        "refresh_tokens": ", ".join(f'"{t}"' for t in refresh_tokens or []),
        "grant": grant,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{int(seconds)}s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}{TOKEN_PATH}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, errors, p50_us, p99_us = map(int, line.split()[1:])
    return requests, duration_us / 1e6, errors, p50_us / 1000, p99_us / 1000


def python_worker(args: tuple) -> tuple[list[float], int]:
    """One keep-alive connection. `secret` is the grant's per-connection input: its
    refresh-token chain start, its list of authorization codes (+ verifier), or its
    device code (polled while pending: authorization_pending / slow_down are the
    expected answers and not errors)."""
    port, grant, creds, secret, seconds = args
    refresh_token = secret if grant == "refresh_token" else ""
    codes = list(secret[0]) if grant == "authorization_code" else []
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
        elif grant == "authorization_code":
            if not codes:
                break
            body = urlencode(
                {
                    "grant_type": "authorization_code",
                    "code": codes.pop(),
                    "redirect_uri": "https://bench.example/cb",
                    "code_verifier": secret[1],
                }
            )
        elif grant == DEVICE_GRANT:
            body = urlencode({"grant_type": DEVICE_GRANT, "device_code": secret})
        else:
            body = urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token})
        started = time.perf_counter()
        try:
            conn.request("POST", TOKEN_PATH, body, headers)
            response = conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
        if grant == DEVICE_GRANT:
            if json.loads(data).get("error") not in {"authorization_pending", "slow_down"}:
                errors += 1
        elif response.status != 200:
            errors += 1
        elif grant == "refresh_token":
            refresh_token = json.loads(data)["refresh_token"]
    return latencies, errors


def run_python(port: int, grant: str, creds, refresh_tokens, connections: int, seconds: float):
    jobs = [
        (port, grant, creds, refresh_tokens[i] if refresh_tokens else "", seconds)
        for i in range(connections)
    ]
    started = time.perf_counter()
    with mp.Pool(connections) as pool:
        results = pool.map(python_worker, jobs)
    latencies = sorted(x for lat, _ in results for x in lat)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    # the code-exchange run may end early when its codes run out
    elapsed = min(seconds, time.perf_counter() - started)
    return count, elapsed, sum(e for _, e in results), pct(0.50), pct(0.99)


# -- the server -----------------------------------------------------------------------------
def machine_info() -> str:
    import django

    load = os.getloadavg()
    return (
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"Django {django.get_version()}; {platform.platform()}; "
        f"load average before the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def profile(creds) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    auth = basic(*creds)
    for _ in range(20):
        client.post(TOKEN_PATH, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=auth)
    profiler = cProfile.Profile()
    n = 500
    started = time.process_time()
    profiler.enable()
    for _ in range(n):
        client.post(TOKEN_PATH, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=auth)
    profiler.disable()
    print(
        f"\nin-process (profiled) client credentials: "
        f"{(time.process_time() - started) / n * 1000:.2f} ms of CPU per request"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="blocking threads per worker")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--python-load", action="store_true", help="never use wrk")
    opts = parser.parse_args()

    data = setup_data(opts.connections)
    use_wrk = shutil.which("wrk") is not None and not opts.python_load
    load = run_wrk if use_wrk else run_python
    print(machine_info())
    print(
        f"server: granian (WSGI), {opts.workers} workers x {opts.threads} blocking threads; "
        f"load: {'wrk' if use_wrk else 'Python processes'}, {opts.connections} keep-alive "
        f"connections on the same machine; {opts.seconds:.0f} s per run"
    )
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            str(opts.workers),
            "--blocking-threads",
            str(opts.threads),
            "--host",
            "127.0.0.1",
            "--port",
            str(opts.port),
            "--log-level",
            "warning",
            "ciam.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", opts.port, timeout=2)
                conn.request("GET", f"/t/{TENANT}/.well-known/openid-configuration")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        runs = [
            ("client_credentials ES256", "client_credentials", data["daemons"]["ES256"], None),
            ("client_credentials RS256", "client_credentials", data["daemons"]["RS256"], None),
            ("refresh_token ES256", "refresh_token", data["web"], data["refresh"]),
            (
                "auth code + PKCE ES256",
                "authorization_code",
                data["web"],
                [(codes, data["verifier"]) for codes in data["codes"]],
            ),
            ("device-code polling", DEVICE_GRANT, data["web"], data["device"]),
        ]
        # warm up every worker (routes, app snapshots, signing keys, connections)
        for _label, grant, creds, _tokens in runs[:2]:
            load(opts.port, grant, creds, None, opts.connections, 2)
        print("--- measured ---")
        for label, grant, creds, tokens in runs:
            pids = process_tree(server.pid)
            cpu_before = cpu_seconds(pids)
            # wrk's script knows client credentials and refresh tokens only
            runner = load if grant in {"client_credentials", "refresh_token"} else run_python
            count, duration, errors, p50, p99 = runner(
                opts.port, grant, creds, tokens, opts.connections, opts.seconds
            )
            cpu = cpu_seconds(pids) - cpu_before
            print(
                f"{label:26s} {count / duration:7.0f} req/s   p50 {p50:6.1f} ms   "
                f"p99 {p99:6.1f} ms   requests {count}   errors {errors}   "
                f"server CPU {cpu / max(count, 1) * 1000:.2f} ms/req   "
                f"server RSS {rss_mib(pids):.0f} MiB"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    if opts.profile:
        profile(data["daemons"]["ES256"])


if __name__ == "__main__":
    main()
