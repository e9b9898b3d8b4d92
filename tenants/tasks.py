"""Celery tasks of the platform (public schema)."""

from __future__ import annotations

from ciam.celery import PublicTask, app

from . import services


@app.task(name="tenants.refill_schema_pool", base=PublicTask)
def refill_schema_pool_task() -> int:
    return services.refill_schema_pool()


@app.task(name="tenants.purge_tenant", base=PublicTask)
def purge_tenant_task(tenant_id: str) -> bool:
    return services.purge_tenant(tenant_id)


@app.task(name="tenants.purge_deleted_tenants", base=PublicTask)
def purge_deleted_tenants_task() -> int:
    return services.purge_deleted_tenants()
