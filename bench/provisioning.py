"""Tenant provisioning benchmark.

    python3 dev.py bench provisioning [--existing 200] [--samples 40]

Runs in its own database (`<DATABASE_URL's name>_bench`, dropped and recreated). Creates
--existing tenants first, then times --samples more creations in three ways:
  * pool:  a warm schema is waiting (Celery keeps the pool full in production),
  * clone: the pool is empty and the template schema is cloned,
  * replay: migrations replayed from scratch (what django-tenants does by default),
and times `migrate_all_tenants` (parallel, 2 processes) over all of them."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ciam"
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "ciam") + "_bench"
    return urlunsplit(parts._replace(path="/" + name)), name


def recreate_database(name: str) -> None:
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=200)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--replay-samples", type=int, default=5)
    args = parser.parse_args()

    url, name = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.machine import describe, percentiles
    from tenants import services

    print(f"machine: {describe()}")
    recreate_database(name)
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}, database {name}")
    started = time.perf_counter()
    services.ensure_template_schema()
    print(f"template schema migrated in {time.perf_counter() - started:.2f} s")

    def create(prefix: str, i: int, use_pool: bool) -> float:
        t0 = time.perf_counter()
        services.create_tenant(
            name=f"{prefix}{i:04d}",
            display_name=f"Bench {i}",
            admin_email=f"a{i}@bench.example",
            admin_password="Bench-Admin-Password-1",
            use_pool=use_pool,
        )
        return time.perf_counter() - t0

    # The existing tenants (cloned; not part of the figures).
    t0 = time.perf_counter()
    for i in range(args.existing):
        create("existing", i, use_pool=False)
    print(f"{args.existing} existing tenants created in {time.perf_counter() - t0:.1f} s")

    results = {}
    # Pool: refill between creations, as the Celery worker does in production.
    pool_samples = []
    for i in range(args.samples):
        services.refill_schema_pool(1)
        pool_samples.append(create("pool", i, use_pool=True))
    results["pool (warm schema renamed)"] = percentiles(pool_samples)

    services.refill_schema_pool(0)
    from tenants.models import PooledSchema

    for pooled in PooledSchema.objects.all():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{pooled.schema_name}" CASCADE')
        pooled.delete()
    clone_samples = [create("clone", i, use_pool=False) for i in range(args.samples)]
    results["clone (template copied)"] = percentiles(clone_samples)

    replay_samples = []
    for i in range(args.replay_samples):
        t0 = time.perf_counter()
        schema = f"replay_{i}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0
        )
        replay_samples.append(time.perf_counter() - t0)
        connection.set_schema_to_public()
    results["replay (migrations from scratch)"] = percentiles(replay_samples)

    total = args.existing + 2 * args.samples
    print(f"\ntenant creation with {args.existing}+ tenants present (seconds):")
    for label, p in results.items():
        print(
            f"  {label:34} n={p['n']:3d}  p50={p['p50']:.3f}  p95={p['p95']:.3f}  "
            f"p99={p['p99']:.3f}  max={p['max']:.3f}"
        )

    t0 = time.perf_counter()
    services.migrate_all_tenants(processes=2, verbosity=0)
    print(
        f"\nmigrate_all_tenants over {total} tenants (2 processes, nothing to apply): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
