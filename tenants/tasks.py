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


def active_tenant_schemas() -> list[str]:
    from .models import Tenant

    return list(
        Tenant.objects.filter(deleted_at__isnull=True)
        .exclude(schema_name="public")
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


@app.task(name="tenants.for_each_tenant", base=PublicTask)
def for_each_tenant_task(task_name: str, *args, **kwargs) -> int:
    """The one fan-out of every per-tenant periodic task: beat runs this in the public
    schema with the tenant task's name, and it sends that task once per active tenant from
    inside the tenant's schema, so the schema travels in the task's headers."""
    from django_tenants.utils import schema_context

    if task_name not in app.tasks:
        app.loader.import_default_modules()  # autodiscovery is lazy outside workers
    task = app.tasks[task_name]
    schemas = active_tenant_schemas()
    for schema in schemas:
        with schema_context(schema):
            task.delay(*args, **kwargs)
    return len(schemas)
