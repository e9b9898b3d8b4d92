"""Benchmark: the latency an OnTokenIssuanceStart custom authentication extension adds to
a token request, with a local API that answers at once.

    python3 dev.py bench extensions [--requests 400]

The platform runs in this process behind Django's threaded WSGI server (keep-alive) on
a database of its own (BENCH_DATABASE_URL, default ciam_bench_extensions) and REDIS_URL.
Two daemon apps of tenant `benchext` map the same claim; an extension serves one of them.
Client-credentials token requests alternate between the two apps; the figure is the p50
(and p90) of each and their difference: the signed call (bearer token reused), the
pooled keep-alive POST, contract validation, the breaker's Redis round trips and the call
log insert. Target: under 5 ms p50 added."""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import os
import platform
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
os.environ["DATABASE_URL"] = (
    os.environ.get("BENCH_DATABASE_URL")
    or "postgres://postgres@127.0.0.1:5432/ciam_bench_extensions"
)
os.environ.setdefault("CIAM_SCHEMA_POOL_SIZE", "0")
os.environ["CIAM_OUTBOUND_ALLOW_PRIVATE"] = "1"  # the API runs on loopback
TENANT = "benchext"
ANSWER = json.dumps(
    {
        "data": {
            "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
            "actions": [
                {
                    "@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
                    "claims": {"partnerTier": "gold"},
                }
            ],
        }
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # As production servers do: without it, headers and body go in two segments
        # and the second waits for the client's delayed ACK (40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)


def serve_api(ready) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


def setup(api_url: str) -> tuple[tuple[str, str], tuple[str, str]]:
    from _setup import _ensure_database

    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from applications import services
    from applications.models import Application
    from extensions import services as ext_services
    from extensions.models import CustomAuthenticationExtension
    from tenants import services as tenant_services
    from tenants.models import Tenant

    call_command("migrate_all_tenants", verbosity=0)
    tenant = Tenant.objects.filter(name=TENANT, deleted_at__isnull=True).first()
    if tenant is None:
        tenant = tenant_services.create_tenant(
            name=TENANT,
            display_name="Bench",
            admin_email="admin@benchext.example",
            admin_password="Bench-Password-123",
            created_by="bench",
            use_pool=False,
        ).tenant
    apps = []
    with schema_context(tenant.schema_name):
        Application.objects.filter(name__startswith="bench ").delete()
        CustomAuthenticationExtension.objects.all().delete()
        for name in ("bench with", "bench without"):
            app, secret = services.register_application(
                name=name, app_type="daemon", redirect_uris=[], actor="bench"
            )
            services.update_application(app, actor="bench", extension_claims=["partnerTier"])
            services.grant_api_permission(app, value="User.Read.All", actor="bench")
            apps.append((app.client_id, secret))
        ext_services.create_extension(
            actor="bench",
            name="bench claims",
            target_url=api_url,
            events=["OnTokenIssuanceStart"],
            applications=[apps[0][0]],
            include_app_only_tokens=True,
            on_failure="fail",
        )
    return apps[0], apps[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    opts = parser.parse_args()
    # The tenant's API in a process of its own (as it would be): in this process its
    # threads would compete for the GIL with the platform's.
    ready: mp.Queue = mp.Queue()
    api = mp.Process(target=serve_api, args=(ready,), daemon=True)
    api.start()
    with_ext, without = setup(f"http://127.0.0.1:{ready.get(timeout=30)}/claims")

    from _proc import cpu_model
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    from ciam.wsgi import application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    # The platform behind a real HTTP server (Django's threaded WSGI server, keep-alive):
    # what a client waits for ends when the response is sent, as under granian.
    web = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    web.set_app(application)
    web.daemon_threads = True
    threading.Thread(target=web.serve_forever, daemon=True).start()
    port = web.server_address[1]
    url = f"/t/{TENANT}/oauth2/v2.0/token"
    connections = {
        app: http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for app in (with_ext, without)
    }

    def request(app: tuple[str, str]) -> tuple[float, dict]:
        auth = base64.b64encode(f"{app[0]}:{app[1]}".encode()).decode()
        conn = connections[app]
        started = time.perf_counter()
        conn.request(
            "POST",
            url,
            body="grant_type=client_credentials",
            headers={
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status == 200, body
        return elapsed, json.loads(body)

    # warm-up: caches, keys, connections
    for _ in range(30):
        request(with_ext)
        request(without)
    token = request(with_ext)[1]["access_token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["partnerTier"] == "gold", payload
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(opts.requests):
        times["with"].append(request(with_ext)[0])
        times["without"].append(request(without)[0])
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"client-credentials token requests over HTTP (threaded WSGI server in process), "
        f"{opts.requests} each, alternating"
    )
    p50 = {}
    for name, values in times.items():
        values.sort()
        p50[name] = statistics.median(values)
        p90 = values[int(0.9 * len(values))]
        print(f"  {name:>7} extension: p50 {p50[name]:6.2f} ms   p90 {p90:6.2f} ms")
    print(
        f"  added by one OnTokenIssuanceStart extension: p50 {p50['with'] - p50['without']:.2f} ms"
    )
    web.shutdown()
    api.terminate()


if __name__ == "__main__":
    main()
