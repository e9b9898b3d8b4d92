"""Signed tokens of the tenant: JWT access tokens (RFC 9068) and JWT verification.

Every token names its tenant (`tid`) and issuer, is signed with the tenant's own key
(`kid` in the header) and is only accepted by the tenant whose keys verify it."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt as pyjwt
from django.core.cache import cache
from django.db import connection
from jwcrypto import jws, jwt
from jwcrypto.common import JWException

from ciam import generations

from . import cache as app_cache
from . import keys
from .models import AccessToken, Application, SigningAlgorithm
from .scopes import MANAGEMENT_API_AUDIENCE

BASE_URL_HEADER = "CIAM_TENANT_BASE_URL"
USER_HEADER = "CIAM_SIGNED_IN_USER"


# schema -> tenant id, for one platform generation (a tenant deleted and created again
# under the same name gets a new id and the same schema name).
_tenant_ids = generations.Cache()


def tenant_id() -> str:
    """The current tenant's id (also inside `schema_context`, whose tenant has no pk)."""
    pk = getattr(getattr(connection, "tenant", None), "pk", None)
    if pk:
        return str(pk)
    schema = getattr(connection, "schema_name", "public")
    return str(_tenant_ids.get(generations.PLATFORM, schema, lambda: _tenant_id_of(schema)))


def _tenant_id_of(schema: str) -> str:
    from tenants.models import Tenant

    found = Tenant.objects.filter(schema_name=schema).values_list("pk", flat=True).first()
    return str(found) if found is not None else ""


# (schema, issuer) -> bool, for one platform generation: a removed custom domain or a
# deleted tenant stops being an issuer at once (ciam.generations).
_issuer_cache = generations.Cache()


def issuer_is_this_tenant(issuer: str) -> bool:
    """True when `issuer` is one of the current tenant's base URLs: the shared-host path
    base `/t/<name>` or the root of one of its verified domains."""
    schema = getattr(connection, "schema_name", "public")
    return bool(
        _issuer_cache.get(
            generations.PLATFORM, (schema, issuer), lambda: _is_issuer_of(schema, issuer)
        )
    )


def _is_issuer_of(schema: str, issuer: str) -> bool:
    from django.conf import settings

    from tenants.middleware import shared_hosts
    from tenants.models import Domain, Tenant

    parts = urlsplit(issuer)
    tenant = Tenant.objects.filter(schema_name=schema).first()
    if tenant is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    path = parts.path.rstrip("/")
    # Entra's authority shape on any base: <base>/<tenant-id> and <base>/<tenant-id>/v2.0
    for authority in (f"/{tenant.pk}/v2.0", f"/{tenant.pk}"):
        if path.endswith(authority):
            path = path[: -len(authority)]
            break
    if path == f"/{settings.CIAM_TENANT_PATH_PREFIX}/{tenant.name}":
        return parts.hostname.lower() in shared_hosts()
    if not path:
        return Domain.objects.filter(
            tenant=tenant, domain=parts.hostname.lower(), is_verified=True
        ).exists()
    return False


def issuer_for(request: Any) -> str:
    """The issuer: the tenant base URL the client reached (set by our OAuthLib backend)."""
    headers = getattr(request, "headers", None) or {}
    base = headers.get(BASE_URL_HEADER)
    if base:
        return base
    django_request = getattr(request, "_request", request)
    return getattr(django_request, "tenant_base_url", "")


def sign(claims: dict[str, Any], algorithm: str, typ: str = "JWT") -> str:
    """A compact JWS of `claims`, signed with the tenant's active key of `algorithm`.

    PyJWT signs (with the key object from `keys.signing_key`): it costs a tenth of
    jwcrypto's per-token overhead, which the token endpoint pays on every grant."""
    key = keys.signing_key(algorithm)
    return pyjwt.encode(
        claims,
        key.get_op_key("sign"),
        algorithm=algorithm,
        headers={"typ": typ, "kid": key.get("kid")},
        json_encoder=_JSONEncoder,
    )


class _JSONEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return str(o)


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
        claims["scope"] = claims["scp"]  # RFC 9068 §2.2.3, for clients that read it
        claims.update(entra_profile_claims(user, scopes))
        from .claims import emits_groups, group_ids
        from .services import user_roles

        resource = resource_app(audience, app)
        assigned = user_roles(resource, user, getattr(request, "_ciam_roles", None))
        if assigned:
            claims["roles"] = assigned
        # Security groups, when the app the token is for asks for them.
        if emits_groups(resource or app):
            claims["groups"] = group_ids(user)
        auth_time = getattr(request, "auth_time", None)
        if auth_time:
            claims["auth_time"] = auth_time
    from .claims import extension_claims

    claims.update(extension_claims(request))  # OnTokenIssuanceStart (applications.token_claims)
    return sign(claims, app.algorithm or SigningAlgorithm.RS256, typ="at+jwt")


def entra_profile_claims(user: Any, scopes: list[str]) -> dict[str, str]:
    """`preferred_username` and `name`, released by the profile scope in Entra's v2.0
    ID and access tokens (learn.microsoft.com: ID token / access token claims
    reference); in an external tenant the username is the sign-in email."""
    if "profile" not in scopes:
        return {}
    claims = {}
    if getattr(user, "email", ""):
        claims["preferred_username"] = user.email
    if getattr(user, "display_name", ""):
        claims["name"] = user.display_name
    return claims


# -- app-only tokens: self-contained, no row ------------------------------------------------
def _revoked_key(jti: str) -> str:
    return f"revoked-jti:{jti}"


def load_access_token(token: str) -> AccessToken | None:
    """The AccessToken a bearer token stands for, or None.

    User tokens are rows, found by checksum (deleting the row revokes them). App-only
    tokens (client credentials) have no row: they are accepted when this tenant's keys
    verify them, their app still exists and is enabled, and their `jti` is not on the
    revocation deny list; an unsaved AccessToken then carries their app, scope and
    expiry. A JWT of another tenant is never accepted."""
    if not isinstance(token, str) or "\x00" in token:
        return None
    checksum = hashlib.sha256(token.encode()).hexdigest()
    if looks_like_jwt(token):
        claims = verify(token, check_exp=False)
        if claims is None:
            return None  # signed by another tenant, or not by us at all
        if claims.get("idtyp") == "app":
            return _app_access_token(token, checksum, claims)
    return (
        AccessToken.objects.select_related("application", "user")
        .filter(token_checksum=checksum)
        .first()
    )


def _app_access_token(token: str, checksum: str, claims: dict[str, Any]) -> AccessToken | None:
    jti, client_id, exp = claims.get("jti"), claims.get("azp"), claims.get("exp")
    if not isinstance(jti, str) or not isinstance(client_id, str) or not isinstance(exp, int):
        return None
    if cache.get(_revoked_key(jti)) is not None:
        return None
    snapshot = app_cache.client(client_id)
    if snapshot is None or not snapshot.app.is_enabled:
        return None
    roles = [r for r in claims.get("roles") or [] if isinstance(r, str)]
    audience = str(claims.get("aud", ""))
    scopes = roles if audience == MANAGEMENT_API_AUDIENCE else [f"{audience}/{r}" for r in roles]
    return AccessToken(
        application=snapshot.application(),
        user=None,
        token=token,
        token_checksum=checksum,
        scope=" ".join(scopes),
        expires=datetime.fromtimestamp(exp, tz=UTC),
    )


def revoke_app_token(token: str, client: Application | None) -> bool:
    """RFC 7009 for an app-only token: deny-list its `jti` until it expires. True when
    `token` is an app-only token of this tenant (revoked only when `client` is the app
    it was issued to; RFC 7009 answers 200 either way)."""
    if not looks_like_jwt(token):
        return False
    claims = verify(token, check_exp=False)
    if claims is None or claims.get("idtyp") != "app":
        return False
    jti, exp = claims.get("jti"), claims.get("exp")
    if (
        client is not None
        and claims.get("azp") == client.client_id
        and isinstance(jti, str)
        and isinstance(exp, int)
    ):
        ttl = exp - int(time.time())
        if ttl > 0:
            cache.set(_revoked_key(jti), 1, ttl + 60)
    return True
