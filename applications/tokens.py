"""Signed tokens of the tenant: JWT access tokens (RFC 9068) and JWT verification.

Every token names its tenant (`tid`) and issuer, is signed with the tenant's own key
(`kid` in the header) and is only accepted by the tenant whose keys verify it."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.db import connection
from jwcrypto import jws, jwt
from jwcrypto.common import JWException

from . import keys
from .models import Application, SigningAlgorithm

BASE_URL_HEADER = "CIAM_TENANT_BASE_URL"
USER_HEADER = "CIAM_SIGNED_IN_USER"


_tenant_ids: dict[str, str] = {}


def tenant_id() -> str:
    """The current tenant's id (also inside `schema_context`, whose tenant has no pk)."""
    pk = getattr(getattr(connection, "tenant", None), "pk", None)
    if pk:
        return str(pk)
    schema = getattr(connection, "schema_name", "public")
    if schema not in _tenant_ids:
        from tenants.models import Tenant

        found = Tenant.objects.filter(schema_name=schema).values_list("pk", flat=True).first()
        if found is None:
            return ""
        _tenant_ids[schema] = str(found)
    return _tenant_ids[schema]


_issuer_cache: dict[tuple[str, str], tuple[float, bool]] = {}


def issuer_is_this_tenant(issuer: str) -> bool:
    """True when `issuer` is one of the current tenant's base URLs: the shared-host path
    base `/t/<name>` or the root of one of its verified domains."""
    key = (getattr(connection, "schema_name", "public"), issuer)
    cached = _issuer_cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    from django.conf import settings

    from tenants.middleware import shared_hosts
    from tenants.models import Domain, Tenant

    parts = urlsplit(issuer)
    tenant = Tenant.objects.filter(schema_name=getattr(connection, "schema_name", "public")).first()
    ok = False
    if tenant is not None and parts.scheme in {"http", "https"} and parts.hostname:
        path = parts.path.rstrip("/")
        if path == f"/{settings.CIAM_TENANT_PATH_PREFIX}/{tenant.name}":
            ok = parts.hostname.lower() in shared_hosts()
        elif not path:
            ok = Domain.objects.filter(
                tenant=tenant, domain=parts.hostname.lower(), is_verified=True
            ).exists()
    if len(_issuer_cache) > 10000:
        _issuer_cache.clear()
    _issuer_cache[key] = (time.monotonic() + 60.0, ok)
    return ok


def issuer_for(request: Any) -> str:
    """The issuer: the tenant base URL the client reached (set by our OAuthLib backend)."""
    headers = getattr(request, "headers", None) or {}
    base = headers.get(BASE_URL_HEADER)
    if base:
        return base
    django_request = getattr(request, "_request", request)
    return getattr(django_request, "tenant_base_url", "")


def sign(claims: dict[str, Any], algorithm: str, typ: str = "JWT") -> str:
    key = keys.signing_key(algorithm)
    header = {"alg": algorithm, "typ": typ, "kid": key.get("kid")}
    token = jwt.JWT(header=header, claims=json.dumps(claims, default=str))
    token.make_signed_token(key)
    return token.serialize()


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and len(token) > 40


def verify(token: str, *, check_exp: bool = True) -> dict[str, Any] | None:
    """Claims of a JWT signed by one of this tenant's published keys, naming this tenant
    (`tid`) and issued by one of its base URLs (`iss`), or None (bad shape, unknown kid,
    bad signature, other tenant or issuer, expired)."""
    try:
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header
        if header.get("alg") not in {SigningAlgorithm.RS256, SigningAlgorithm.ES256}:
            return None
        key = keys.verification_key(str(header.get("kid", "")))
        if key is None:
            return None
        check_claims: dict[str, Any] | None = None if check_exp else {}
        parsed = jwt.JWT(
            key=key, jwt=token, algs=[header["alg"]], check_claims=check_claims, expected_type="JWS"
        )
        claims = json.loads(parsed.claims)
    except (JWException, ValueError, TypeError, KeyError):
        return None
    if not isinstance(claims, dict) or claims.get("tid") != tenant_id():
        return None
    if not issuer_is_this_tenant(str(claims.get("iss", ""))):
        return None
    return claims


def access_token_generator(request: Any) -> str:
    """oauthlib token generator: a JWT access token (typ at+jwt) for the request's client,
    user and scopes. The same string is stored (as a checksum) in an AccessToken row so
    that DOT's bearer-token validation and revocation keep working."""
    from .scopes import resource_app, split_scopes

    app: Application = request.client
    now = int(time.time())
    scopes = list(request.scopes or [])
    delegated, roles, audience = split_scopes(scopes, app, request)
    claims: dict[str, Any] = {
        "iss": issuer_for(request),
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + int(request.expires_in),
        "jti": uuid.uuid4().hex,
        "client_id": app.client_id,
        "azp": app.client_id,
        "tid": tenant_id(),
        "ver": "2.0",
    }
    user = getattr(request, "user", None)
    if request.grant_type == "client_credentials" or user is None:
        claims["sub"] = app.client_id
        claims["oid"] = app.client_id
        claims["idtyp"] = "app"
        claims["roles"] = roles
    else:
        claims["sub"] = str(user.pk)
        claims["oid"] = str(user.pk)
        claims["scp"] = " ".join(delegated)
        from .services import user_roles

        assigned = user_roles(resource_app(audience, app), user)
        if assigned:
            claims["roles"] = assigned
        auth_time = getattr(request, "auth_time", None)
        if auth_time:
            claims["auth_time"] = auth_time
    return sign(claims, app.algorithm or SigningAlgorithm.RS256, typ="at+jwt")
