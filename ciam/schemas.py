"""Typed access to django-tenants' connection methods (the stubs only know Django's)."""

from __future__ import annotations

from typing import Any, cast

from django.db import connection


def tenant_connection() -> Any:
    return cast(Any, connection)


def use_public_schema() -> None:
    tenant_connection().set_schema_to_public()


def use_tenant(tenant: Any) -> None:
    tenant_connection().set_tenant(tenant)


def current_schema() -> str:
    return str(tenant_connection().schema_name)
