"""The OpenAPI 3 document (/api/v1/openapi.json) and interactive docs (/api/v1/docs/,
Swagger UI served from drf-spectacular-sidecar's static files, no network needed)."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class _ApiUrlconf:
    """Only the management API's own routes, as they sit under the tenant base."""

    @property
    def urlpatterns(self) -> list:
        from .urls import resource_patterns

        return [path("api/v1/", include(resource_patterns))]


class OpenApiView(SpectacularAPIView):
    urlconf = _ApiUrlconf()  # type: ignore[assignment]
    custom_settings = {
        "TITLE": "CIAM management API",
        "DESCRIPTION": (
            "Manage a tenant's directory and app registrations. Authenticate with an "
            "OAuth 2.0 client-credentials access token of a daemon app of this tenant; "
            "each operation needs the application permission it names."
        ),
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "COMPONENT_SPLIT_REQUEST": True,
        "SECURITY": [{"bearerAuth": []}],
        "APPEND_COMPONENTS": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
        },
    }

    def _get_schema_response(self, request: Request) -> Response:
        response = super()._get_schema_response(request)
        # Paths are relative to the tenant base the client reached.
        response.data = {
            **response.data,
            "servers": [{"url": request.tenant_base_url}],  # type: ignore[attr-defined]
        }
        return response


class DocsView(SpectacularSwaggerView):
    pass
