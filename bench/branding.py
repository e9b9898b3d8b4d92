"""Benchmark: server-side render time of the sign-in page with company branding applied.

    python3 dev.py bench branding [--requests 300]

Sets up a tenant with a full branding (logo, colours, texts, custom CSS) and a French
language customisation with string overrides, then renders /account/login/ through the
whole Django stack (middleware, tenant routing, branding resolution, templates) with
Django's test client, in French (Accept-Language) and in English. Prints wall-clock
p50/p95/p99 and the process's CPU time per request (the figure that matters on a shared,
loaded host),
database queries and Redis round trips per warm request, and the cost of one cold
resolution (after a branding save). No network or browser time is included."""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ciam_bench_branding"
)
os.environ.setdefault("CIAM_RATE_LIMITS", "off")

from _proc import cpu_model
from _setup import setup


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    opts = parser.parse_args()
    tenant = setup("brandbench")
    from django.core.management import call_command

    call_command("migrate_schemas", "--tenant", "-s", tenant.schema_name, verbosity=0)

    from django.test import Client, RequestFactory
    from django_tenants.utils import schema_context
    from PIL import Image

    from branding import services

    def image() -> io.BytesIO:
        out = io.BytesIO()
        Image.new("RGB", (240, 36), (10, 90, 200)).save(out, format="PNG")
        out.seek(0)
        out.name = "logo.png"
        out.size = len(out.getvalue())
        return out

    with schema_context(tenant.schema_name):
        services.update_branding(
            data={
                "button_color": "#0b5fff",
                "link_color": "#8a1538",
                "sign_in_text": "Welcome to the bench",
                "username_hint": "you@example.com",
                "privacy_url": "https://example.com/privacy",
                "terms_url": "https://example.com/terms",
                "custom_css": ".c-card{border-radius:12px}" * 20,
            },
            files={"banner_logo": image()},
            actor="bench",
        )
        services.save_language_customization(
            language="fr",
            data={
                "texts": {"sign_in_text": "Bienvenue"},
                "strings": {f"String {i}": f"Chaîne {i}" for i in range(200)},
            },
            actor="bench",
        )

    url = f"/t/{tenant.name}/account/login/"
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{opts.requests} requests per language"
    )
    import redis as redis_module

    for label, lang in (("fr (customised)", "fr"), ("en (default)", "en")):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        for _ in range(20):  # warm caches, template loader, connections
            assert client.get(url).status_code == 200
        times, cpu = [], []
        for _ in range(opts.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
        calls = {"n": 0}
        original = redis_module.Redis.execute_command

        def counting(self, *args, _orig=original, _calls=calls, **kwargs):
            _calls["n"] += 1
            return _orig(self, *args, **kwargs)

        redis_module.Redis.execute_command = counting
        try:
            client.get(url)
        finally:
            redis_module.Redis.execute_command = original
        print(
            f"sign-in page {label:16s} p50 {statistics.median(times):6.2f} ms   "
            f"p95 {percentile(times, 0.95):6.2f} ms   p99 {percentile(times, 0.99):6.2f} ms   "
            f"redis calls {calls['n']}"
        )
        print(
            f"  CPU time of the process per request   p50 {statistics.median(cpu):6.2f} ms   "
            f"p95 {percentile(cpu, 0.95):6.2f} ms   (wall time includes waiting for a CPU "
            f"on a loaded host: load average {os.getloadavg()[0]:.1f})"
        )
    # the branding middleware's own work on a warm cache (language choice + resolution)
    from branding import language, resolve

    request = RequestFactory().get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    with schema_context(tenant.schema_name):
        started = time.perf_counter()
        for _ in range(10000):
            chosen = language.choose(request, resolve.tenant_languages())
            resolve.resolve(chosen)
        each = (time.perf_counter() - started) / 10000 * 1e6
    print(f"branding resolution per request (warm cache): {each:6.1f} µs")
    # one cold resolution: a save bumps the generation, the next request reloads
    cold = []
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for i in range(20):
        with schema_context(tenant.schema_name):
            services.update_branding(data={"sign_in_text": f"Bench {i}"}, actor="bench")
        started = time.perf_counter()
        client.get(url)
        cold.append((time.perf_counter() - started) * 1000)
    print(f"first request after a branding save: p50 {statistics.median(cold):6.2f} ms")


if __name__ == "__main__":
    main()
