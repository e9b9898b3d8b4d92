"""Shared set-up of the directory benchmarks: a database of their own (never the
development one), migrated, with a tenant to fill."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from _proc import cpu_model

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ciam_bench_directory"


def setup(tenant_name: str):
    """Django set up on the benchmark database; returns the tenant (created if needed)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
    os.environ.setdefault("CIAM_SCHEMA_POOL_SIZE", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    from tenants import services
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(name=tenant_name).first()
    if tenant is None:
        services.ensure_template_schema()
        tenant = services.create_tenant(
            name=tenant_name,
            display_name=tenant_name,
            admin_email=f"admin@{tenant_name}.example",
            admin_password="Bench-Admin-Password-1",
            created_by="bench",
            use_pool=False,
        ).tenant
    return tenant


def _ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def machine_info() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = cpu_model()
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"machine: {cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; "
        f"PostgreSQL {pg}"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
