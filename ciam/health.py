from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .schemas import use_public_schema

logger = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    """Database and Redis reachable, and no migration of the public schema pending."""
    checks: dict[str, str] = {}
    try:
        use_public_schema()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("readiness: database")
        checks["database"] = "unreachable"
    try:
        cache.client.get_client().ping()  # type: ignore[attr-defined]
        checks["redis"] = "ok"
    except Exception:
        logger.exception("readiness: redis")
        checks["redis"] = "unreachable"
    if checks["database"] == "ok":
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            checks["migrations"] = "ok" if not plan else f"{len(plan)} pending"
        except Exception:
            logger.exception("readiness: migrations")
            checks["migrations"] = "unknown"
    else:
        checks["migrations"] = "unknown"
    return checks
