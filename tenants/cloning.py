"""Cloning the tenant template schema quickly, however many tenants exist.

django-tenants' clone function reads the catalog object by object; its cost grows with
the whole catalog (seconds per clone with a hundred tenants, tens of seconds beyond).
Instead, the template is dumped once per set of migrations with pg_dump (schema and the
few rows migrations put there) and each clone replays that script with the schema name
swapped: a cost that depends on the template only.

pg_dump comes from the pgserver wheel (PostgreSQL 16 client, which dumps servers up to
16) or from PATH; when neither can dump the server, django-tenants' clone is used."""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django_tenants.clone import CloneSchema

logger = logging.getLogger(__name__)

_SKIP_PREFIXES = ("SET ", "SELECT pg_catalog.set_config", "--", "\\")
_snapshots: dict[str, str] = {}


def _pg_dump_candidates() -> list[str]:
    found = []
    spec = importlib.util.find_spec("pgserver")  # located, not imported (it has side effects)
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            found.append(str(bundled))
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(on_path)
    return found


def _dump_env() -> dict[str, str]:
    params = connection.get_connection_params()
    env = {**os.environ}
    mapping = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
    }
    for key, var in mapping.items():
        if params.get(key):
            env[var] = str(params[key])
    return env


def dump_template(template: str) -> str | None:
    """The template schema as an SQL script with the schema name left as a placeholder,
    or None when no usable pg_dump is at hand."""
    args = [
        "--schema",
        template,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--rows-per-insert=1000",
    ]
    for pg_dump in _pg_dump_candidates():
        result = subprocess.run(
            [pg_dump, *args],
            env=_dump_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode == 0:
            return _to_script(result.stdout, template)
        logger.info(
            "pg_dump %s could not dump the template: %s", pg_dump, result.stderr.strip()[:300]
        )
    return None


def _to_script(dump: str, template: str) -> str:
    kept = []
    for line in dump.splitlines():
        if line.startswith(_SKIP_PREFIXES) or line == f"CREATE SCHEMA {template};":
            continue
        kept.append(line)
    script = "\n".join(kept)
    return script.replace(f"{template}.", "{schema}.")


@cache
def _fallback_warned() -> bool:
    logger.warning("pg_dump unavailable for this server: cloning with django-tenants' clone")
    return True


def clone_template(target: str, fingerprint: str) -> None:
    """Create schema `target` as a copy of the template (inside the caller's transaction)."""
    template = settings.TENANT_BASE_SCHEMA
    script = _snapshots.get(fingerprint)
    if script is None:
        script = dump_template(template)
        if script is not None:
            _snapshots.clear()
            _snapshots[fingerprint] = script
    if script is None:
        _fallback_warned()
        CloneSchema().clone_schema(template, target, "DATA")
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{target}"')
        cursor.execute(script.replace("{schema}.", f'"{target}".'))
