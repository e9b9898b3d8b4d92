"""Thousands of tenants in one PostgreSQL.

    python3 dev.py bench tenant_scale [--tenants 10000] [--checkpoints 1000,5000,10000]
                                      [--served 1000]

Runs in its own database (`<DATABASE_URL's name>_scale`, dropped and recreated) and
measures, as the platform runs in production:
  * tenant creation p50/p95 around each checkpoint (pool path: a warm schema is renamed;
    a separate process refills the pool, as the Celery worker does);
  * migrate_all_tenants with one new migration across every tenant (a bench-only
    migration of the insights app, written for the run and removed after it);
  * a web worker's RSS after serving discovery for --served different tenants;
  * the first-request latency of a tenant not yet in the worker's process caches,
    beside a cached one."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning import recreate_database  # noqa: E402

BENCH_MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("insights", "{parent}")]
    operations = [
        migrations.RunSQL(
            "CREATE TABLE insights_bench_scale (id integer)",
            "DROP TABLE insights_bench_scale",
        )
    ]
"""


def scale_database_url() -> tuple[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ciam"
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "ciam") + "_scale"
    return urlunsplit(parts._replace(path="/" + name)), name


def refiller() -> subprocess.Popen:
    code = (
        "import time\n"
        "from tenants import services\n"
        "while True:\n"
        "    if not services.refill_schema_pool(8):\n"
        "        time.sleep(0.05)\n"
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=os.environ.copy()
    )


def serve(port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "ciam.serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--blocking-threads",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("web worker did not start")


def fetch(port: int, tenant: str) -> float:
    t0 = time.perf_counter()
    url = f"http://127.0.0.1:{port}/t/{tenant}/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=10000)
    parser.add_argument("--checkpoints", default="1000,5000,10000")
    parser.add_argument("--window", type=int, default=100, help="creations timed per checkpoint")
    parser.add_argument("--served", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()
    checkpoints = sorted(int(c) for c in args.checkpoints.split(",") if int(c) <= args.tenants)

    url, name = scale_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
    os.environ["CACHE_KEY_PREFIX"] = f"scale{os.getpid()}"
    import django

    django.setup()
    from django.core.management import call_command

    from bench._proc import process_tree, rss_mib
    from bench.machine import describe, percentiles
    from tenants import services

    print(f"machine: {describe()}")
    recreate_database(name)
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    services.ensure_template_schema()
    pool = refiller()
    try:
        samples: dict[int, list[float]] = {c: [] for c in checkpoints}
        t_all = time.perf_counter()
        for i in range(1, args.tenants + 1):
            t0 = time.perf_counter()
            services.create_tenant(
                name=f"scale{i:05d}",
                display_name=f"Scale {i}",
                admin_email=f"admin{i}@scale.example",
                admin_password="Scale-Admin-Password-1",
            )
            took = time.perf_counter() - t0
            for c in checkpoints:
                if c - args.window < i <= c:
                    samples[c].append(took)
            if i % 500 == 0:
                print(f"  {i} tenants ({time.perf_counter() - t_all:.0f} s)", flush=True)
    finally:
        pool.terminate()
        pool.wait()
    print("\ntenant creation (pool path), seconds:")
    for c, values in samples.items():
        p = percentiles(values)
        print(f"  around {c:6d} tenants: n={p['n']}  p50={p['p50']:.3f}  p95={p['p95']:.3f}")

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    leaf = max(n for a, n in MigrationLoader(connection).graph.leaf_nodes() if a == "insights")
    migration = ROOT / "insights" / "migrations" / "9999_bench_scale.py"
    migration.write_text(BENCH_MIGRATION.format(parent=leaf))
    try:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate_all_tenants", "--processes", "2", "-v", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
            check=True,
        )
        print(
            f"\nmigrate_all_tenants, one new migration across {args.tenants} tenants "
            f"(2 processes): {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate_all_tenants", "--processes", "2", "-v", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
            check=True,
        )
        print(f"migrate_all_tenants again, nothing to apply: {time.perf_counter() - t0:.1f} s")
    finally:
        migration.unlink()

    proc = serve(args.port)
    try:
        served = min(args.served, args.tenants)
        cold = [fetch(args.port, f"scale{i:05d}") for i in range(1, served + 1)]
        warm = [fetch(args.port, f"scale{i:05d}") for i in range(1, min(served, 200) + 1)]
        rss = rss_mib(process_tree(proc.pid))
        c, w = percentiles(cold), percentiles(warm)
        print(f"\nweb worker (granian, 1 worker) after serving {served} tenants: RSS {rss:.0f} MiB")
        print(
            f"first request of an uncached tenant: p50={c['p50'] * 1000:.1f} ms "
            f"p95={c['p95'] * 1000:.1f} ms"
        )
        print(
            f"request of a cached tenant:          p50={w['p50'] * 1000:.1f} ms "
            f"p95={w['p95'] * 1000:.1f} ms"
        )
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
