"""Resolve the tenant's branding and the page language once per request (authentik's
`get_brand_for_request` shape): `request.branding`, then the context processor."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tenants.middleware import is_tenant_request

from . import language, resolve

# Tenant paths that never render a customer page (machine endpoints, admin center).
SKIP_PREFIXES = (
    "/admin/",
    "/api/",
    "/scim/",
    "/oauth2/v2.0/token",
    "/oauth2/v2.0/introspect",
    "/oauth2/v2.0/revoke",
    "/discovery/",
    "/.well-known/",
    "/v2.0/.well-known/",
    "/oidc/userinfo",
    "/branding/assets/",
)


def applies(request: HttpRequest) -> bool:
    path = request.path_info
    return (
        is_tenant_request(request)
        and not path.startswith(settings.STATIC_URL)
        and not path.startswith(SKIP_PREFIXES)
    )


class BrandingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if applies(request):
            languages = resolve.tenant_languages()
            chosen = language.choose(request, languages)
            branding = resolve.resolve(chosen)
            language.activate(chosen, branding.strings)
            request.LANGUAGE_CODE = chosen  # type: ignore[attr-defined]
            request.branding = branding  # type: ignore[attr-defined]
        return self.get_response(request)
