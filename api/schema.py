"""The OpenAPI 3 document (/api/v1/openapi.json) and interactive docs (/api/v1/docs/,
Swagger UI served from drf-spectacular-sidecar's static files, no network needed)."""

from __future__ import annotations

from typing import cast

from django.urls import include, path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

from ciam.tenancy import TenantRequest


class _ApiUrlconf:
    """Only the management API's own routes, as they sit under the tenant base."""

    @property
    def urlpatterns(self) -> list:
        from .urls import resource_patterns

        return [path("api/v1/", include(resource_patterns))]


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.base.AccessTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An OAuth 2.0 client-credentials access token of this tenant",
        }


class JsonRenderer(OpenApiJsonRenderer):
    media_type = "application/json"


class OpenApiView(SpectacularAPIView):
    renderer_classes = [JsonRenderer]
    urlconf = _ApiUrlconf()  # type: ignore[assignment]
    custom_settings = {
        "TITLE": "CIAM management API",
        "DESCRIPTION": (
            "Manage a tenant's directory and app registrations. Authenticate with an "
            "OAuth 2.0 client-credentials access token of a daemon app of this tenant; "
            "each operation needs the application permission it names."
        ),
        "VERSION": "1.0.0",
        "COMPONENT_SPLIT_REQUEST": True,
    }

    def _get_schema_response(self, request: Request) -> Response:
        response = super()._get_schema_response(request)
        # Paths are relative to the tenant base the client reached.
        response.data = {
            **response.data,
            "servers": [{"url": cast(TenantRequest, request._request).tenant_base_url}],
        }
        return response


class DocsView(SpectacularSwaggerView):
    pass
