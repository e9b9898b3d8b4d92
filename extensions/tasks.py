"""Celery tasks: the call log is kept CIAM_EXTENSION_CALL_LOG_DAYS days (default 30)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from ciam.celery import PublicTask, app


@app.task(name="extensions.purge_call_logs")
def purge_call_logs_task() -> int:
    from . import services

    return services.purge_call_logs()


@app.task(name="extensions.purge_call_logs_all_tenants", base=PublicTask)
def purge_call_logs_all_tenants_task() -> int:
    from tenants.models import Tenant

    count = 0
    for tenant in Tenant.objects.filter(deleted_at__isnull=True).exclude(schema_name="public"):
        with schema_context(tenant.schema_name):
            purge_call_logs_task.delay()
        count += 1
    return count
