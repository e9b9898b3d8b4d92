"""SCIM discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from scim2_models import Context, EnterpriseUser, Group, ResourceType, User

from ciam.tenancy import TenantRequest

from .core import MAX_RESULTS, ScimError, allow, list_response, respond, scim_view

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


def _schemas() -> dict[str, dict[str, Any]]:
    return {
        model.__schema__: model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for model in (User, EnterpriseUser, Group)
    }


def _with_meta(data: dict[str, Any], base: str, kind: str, ident: str) -> dict[str, Any]:
    return {**data, "meta": {"resourceType": kind, "location": f"{base}/{kind}s/{ident}"}}


@scim_view
def not_found(request: HttpRequest, body: Any, path: str = "") -> HttpResponse:
    raise ScimError(404, "No such SCIM endpoint.")


@scim_view
@allow("GET")
def service_provider_config(request: TenantRequest, body: Any) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    return respond(
        {
            "schemas": [SPC_SCHEMA],
            "documentationUri": f"{request.tenant_base_url}/api/v1/docs/",
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": True},
            "sort": {"supported": True},
            "etag": {"supported": True},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "A SCIM token created by an admin in the admin center",
                    "primary": True,
                }
            ],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": f"{base}/ServiceProviderConfig",
            },
        }
    )


def _resource_types(base: str) -> list[dict[str, Any]]:
    types = []
    for model, endpoint in ((User[EnterpriseUser], "/Users"), (Group, "/Groups")):
        resource_type = ResourceType.from_resource(model)
        resource_type.endpoint = endpoint  # type: ignore[assignment]
        data = resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        types.append(_with_meta(data, base, "ResourceType", data["id"]))
    return types


@scim_view
@allow("GET")
def resource_types(request: HttpRequest, body: Any, name: str | None = None) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    types = _resource_types(base)
    if name is None:
        return list_response(types, len(types), 1)
    for item in types:
        if item["id"] == name:
            return respond(item)
    raise ScimError(404, f"Resource type {name} not found.")


@scim_view
@allow("GET")
def schemas(request: HttpRequest, body: Any, schema_id: str | None = None) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    items = [_with_meta(data, base, "Schema", urn) for urn, data in _schemas().items()]
    if schema_id is None:
        return list_response(items, len(items), 1)
    for item in items:
        if item["id"] == schema_id:
            return respond(item)
    raise ScimError(404, f"Schema {schema_id} not found.")
