"""The tenant context of a request, typed.

Tenant routing (tenants.middleware) binds every request to one schema and sets three
attributes; code above reads them through `TenantRequest` (an annotation only: the object
is Django's request) instead of ad-hoc attributes with `type: ignore`. This module knows
no app: the tenant row is described by the `Tenant` protocol."""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest


class Tenant(Protocol):
    """What a request's code may rely on from its tenant row (tenants.models.Tenant), or
    from django-tenants' stand-in for the public schema on the platform portal."""

    pk: Any
    schema_name: str


class TenantRequest(HttpRequest):
    """A request after tenant routing."""

    tenant: Any  # tenants.models.Tenant on a tenant's base; the public stand-in elsewhere
    # Scheme + host + path prefix as the client reached the tenant: the OIDC issuer.
    tenant_base_url: str
    # "/t/<name>" (with any SCRIPT_NAME) when reached by path on the shared host, else "".
    tenant_path_prefix: str


def is_tenant_request(request: HttpRequest) -> bool:
    """Whether routing bound this request to a tenant (not the platform, not a request
    answered before routing, such as /healthz)."""
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "schema_name", settings.PUBLIC_SCHEMA_NAME) != (
        settings.PUBLIC_SCHEMA_NAME
    )
