"""The Celery app. Tenant-aware through tenant-schemas-celery: the schema that was active
when a task was sent travels in its headers and is restored in the worker.

A task that would run in the public schema by accident refuses to run, since it would
silently read and write the platform's tables instead of a tenant's. Platform tasks that
are meant for the public schema say so with `base=PublicTask`."""

from __future__ import annotations

import os

from django.db import connection
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")


class PublicSchemaRefused(RuntimeError):
    """A tenant task reached the worker without a tenant schema."""


class CiamTenantTask(TenantTask):
    abstract = True
    requires_tenant = True

    def __call__(self, *args, **kwargs):
        if self.requires_tenant and connection.schema_name == "public":
            raise PublicSchemaRefused(
                f"task {self.name} needs a tenant schema but was sent from the public schema"
            )
        return super().__call__(*args, **kwargs)


class PublicTask(CiamTenantTask):
    abstract = True
    requires_tenant = False


class CiamCeleryApp(CeleryApp):
    task_cls = "ciam.celery:CiamTenantTask"


app = CiamCeleryApp("ciam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
