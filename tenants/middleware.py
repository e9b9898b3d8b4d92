"""Tenant routing: every request is bound to exactly one schema before any view runs.

A tenant answers at three kinds of address:
  * the shared host, under /t/<name>/ (works with every HTTP client on a fresh machine),
  * <name>.<CIAM_BASE_DOMAIN>,
  * verified custom domains (Domain rows).
Anything else on a non-shared host is a plain 404 that says nothing about which tenants
exist. On the shared host, other paths are the platform portal (public schema)."""

from __future__ import annotations

import copy
import re
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.urls import set_script_prefix, set_urlconf

from ciam import generations
from ciam.schemas import tenant_connection, use_public_schema, use_tenant
from ciam.tenancy import TenantRequest, is_tenant_request

from .models import Domain, Tenant

TENANT_PATH_RE = re.compile(
    rf"^/{re.escape(settings.CIAM_TENANT_PATH_PREFIX)}/(?P<name>[^/]*)(?P<rest>/.*)?$"
)

VALID_NAME_RE = re.compile(r"^[a-z0-9-]{1,63}$")


def not_found(request: HttpRequest | None = None) -> HttpResponse:
    """Unknown tenant or host: a friendly page for browsers, plain text for the rest;
    neither says which tenants exist."""
    if request is not None and "text/html" in request.META.get("HTTP_ACCEPT", ""):
        from django.template.loader import render_to_string

        return HttpResponseNotFound(render_to_string("unknown_tenant.html", request=request))
    return HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8")


def public_origin(request: HttpRequest, hostname: str, shared: bool) -> str:
    """scheme://host[:port] of the addresses built for this request (issuers, links).

    Only configured hosts: on the shared host, the public URL the request reached when it
    is one of CIAM_PUBLIC_URLS, else the first of them; on a tenant's own host (a
    subdomain of CIAM_BASE_DOMAIN or a verified domain, both already checked), that name
    with the canonical public URL's port, never the port the Host header names."""
    urls = settings.CIAM_PUBLIC_URLS
    if shared:
        requested = f"{request.scheme}://{request.get_host()}"
        return requested if requested in urls else urls[0]
    port = urlsplit(urls[0]).port
    return f"{request.scheme}://{hostname}" + (f":{port}" if port else "")


def shared_hosts() -> set[str]:
    extra = settings.CIAM_SHARED_HOSTS
    return {settings.CIAM_BASE_DOMAIN, "localhost", "127.0.0.1", "[::1]", "testserver", *extra}


# Routes (tenant name or host -> tenant, or None) for one platform generation: tenant
# creation, deletion and domain changes bump it (tenants.signals).
_routes = generations.Cache()


def _tenant_named(name: str) -> Tenant | None:
    return Tenant.objects.filter(name=name, deleted_at__isnull=True).first()


def _tenant_at_host(hostname: str) -> Tenant | None:
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname, is_verified=True, tenant__deleted_at__isnull=True)
        .first()
    )
    return domain.tenant if domain is not None else None


def _route(kind: str, value: str) -> Tenant | None:
    """The tenant at a route, from the process-local cache. The platform generation and
    the last known tenant's generation are read together (at most one Redis round trip),
    so that the tenant's caches cost nothing more for the rest of the request."""
    known = _routes.peek(generations.PLATFORM, (kind, value))
    scopes = [generations.PLATFORM] + ([known.schema_name] if known is not None else [])
    generations.read(*scopes)
    loader = _tenant_named if kind == "name" else _tenant_at_host
    tenant = _routes.get(generations.PLATFORM, (kind, value), lambda: loader(value))
    # Requests mutate their tenant (domain_url): each gets its own copy.
    return copy.copy(tenant) if tenant is not None else None


AUTHORITY_RE = re.compile(
    r"^/(?P<tid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?P<v2>/v2\.0)?(?=/|$)"
)


def _entra_authority_segment(path_info: str, tenant: Tenant) -> str | None:
    """`/<tenant-id>` or `/<tenant-id>/v2.0` when the path starts with this tenant's id;
    "" when it starts with another id (answered 404, saying nothing about other
    tenants); None when it names no tenant id."""
    match = AUTHORITY_RE.match(path_info)
    if match is None:
        return None
    if match["tid"].lower() != str(tenant.pk):
        return ""
    return match.group(0).lower()


class TenantRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, http_request: HttpRequest) -> HttpResponse:
        request = cast(TenantRequest, http_request)
        use_public_schema()
        # The test client does not reset the script prefix between requests, and a server
        # thread may have served another tenant last: always start from the real one.
        script_name = request.META.get("SCRIPT_NAME", "").rstrip("/")
        set_script_prefix(script_name + "/")
        try:
            hostname = (
                request.get_host().rsplit(":", 1)[0]
                if "]" not in request.get_host()
                else request.get_host().rsplit("]", 1)[0] + "]"
            )
        except DisallowedHost:
            return not_found()
        hostname = hostname.lower().rstrip(".")
        request.tenant_path_prefix = ""

        tenant: Tenant | None
        shared = hostname in shared_hosts()
        if shared:
            match = TENANT_PATH_RE.match(request.path_info)
            if match is None:
                return self._public(request)
            name = match["name"]
            tenant = _route("name", name) if VALID_NAME_RE.match(name) else None
            if tenant is None:
                return not_found(request)
            if match["rest"] is None:
                return HttpResponseRedirect(request.path + "/")
            prefix = f"{script_name}/{settings.CIAM_TENANT_PATH_PREFIX}/{tenant.name}"
            request.path_info = match["rest"]
            request.META["SCRIPT_NAME"] = prefix
            set_script_prefix(prefix + "/")
            request.tenant_path_prefix = prefix
        else:
            tenant = _route("host", hostname)
            if tenant is None:
                return not_found(request)

        authority = _entra_authority_segment(request.path_info, tenant)
        if authority == "":
            return not_found()
        if authority is not None:
            # Entra's authority shape: /<tenant-id>/ and /<tenant-id>/v2.0/ on any of the
            # tenant's bases serve the tenant with that segment in its base URL, so that
            # discovery's issuer is the URL it was fetched from.
            prefix = f"{request.tenant_path_prefix or script_name}{authority}"  # type: ignore[attr-defined]
            rest = request.path_info[len(authority) :]
            if not rest:
                return HttpResponseRedirect(request.path + "/")
            request.path_info = rest
            request.META["SCRIPT_NAME"] = prefix
            set_script_prefix(prefix + "/")
            request.tenant_path_prefix = prefix  # type: ignore[attr-defined]

        tenant.domain_url = hostname
        request.tenant = tenant
        request.tenant_base_url = (
            public_origin(request, hostname, shared) + request.tenant_path_prefix
        )
        use_tenant(tenant)
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            use_public_schema()
            set_script_prefix(script_name + "/")

    def _public(self, request: TenantRequest) -> HttpResponse:
        request.tenant = tenant_connection().tenant
        request.tenant_base_url = public_origin(request, "", True)
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        return self.get_response(request)


class TenantSessionMiddleware(SessionMiddleware):
    """Sessions stay inside their tenant.

    Session data lives in Redis under schema-prefixed keys, so a session id from one tenant
    finds nothing in another. The cookie is also scoped: tenants reached by path get a
    cookie bound to their own path, and the platform portal uses a cookie of another name,
    so a browser never sends one tenant's session to another."""

    TENANT_COOKIE = "ciam_session"
    PLATFORM_COOKIE = "ciam_platform"

    def cookie_name(self, request: HttpRequest) -> str:
        return self.TENANT_COOKIE if is_tenant_request(request) else self.PLATFORM_COOKIE

    def process_request(self, request: HttpRequest) -> None:
        session_key = request.COOKIES.get(self.cookie_name(request))
        request.session = self.SessionStore(session_key)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        default = settings.SESSION_COOKIE_NAME
        if default in response.cookies:
            morsel = response.cookies.pop(default)
            name = self.cookie_name(request)
            path = (getattr(request, "tenant_path_prefix", "") or "") + "/"
            response.set_cookie(
                name,
                morsel.value,
                max_age=morsel["max-age"] or None,
                expires=morsel["expires"] or None,
                path=path if is_tenant_request(request) else settings.SESSION_COOKIE_PATH,
                domain=morsel["domain"] or None,
                secure=bool(morsel["secure"]),
                httponly=bool(morsel["httponly"]),
                samesite=morsel["samesite"] or None,
            )
        return response
