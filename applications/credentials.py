"""Client credentials of app registrations: client secrets (stored as keyed hashes) and
private_key_jwt (RFC 7523) client assertions."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException

from ciam import outbound
from ciam.crypto import keyed_hash
from directory import audit
from directory import services as directory_services

from .models import ApiPermission, Application, ClientSecret

JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SECRET_BYTES = 40  # 320 bits


def management_api_grants_of(app: Application) -> list[str]:
    return sorted(
        app.permissions.filter(
            resource__isnull=True, kind=ApiPermission.Kind.APPLICATION
        ).values_list("value", flat=True)
    )


def ensure_may_manage_credentials(app: Application, *, actor: Any) -> None:
    """Whoever adds a credential to an app (a secret, a public key, a JWKS URL) can act as
    it: for an app holding management API permissions, only an actor who may grant every
    one of them (otherwise an Application Administrator would add a secret to a Global
    Administrator's daemon and use its User.ReadWrite.All)."""
    for name in management_api_grants_of(app):
        directory_services.ensure_may_grant_api_permission(actor, name)


# -- client secrets ----------------------------------------------------------------------------
def add_client_secret(
    app: Application,
    *,
    description: str = "",
    expires_in_days: int | None = 180,
    actor: Any,
    request: HttpRequest | None = None,
) -> tuple[ClientSecret, str]:
    """Generate a client secret (320 bits); only its keyed hash is stored. The plain value
    is returned once."""
    if app.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ValidationError("Public clients (single-page and native apps) have no secrets.")
    ensure_may_manage_credentials(app, actor=actor)
    value = secrets.token_urlsafe(SECRET_BYTES)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        row = ClientSecret.objects.create(
            application=app,
            description=description[:200],
            secret_hash=keyed_hash(value),
            hint=value[:4],
            expires_at=expires,
        )
        audit.record(
            action="application.secret.add",
            actor=actor,
            request=request,
            target=app,
            after={
                "secret_id": str(row.id),
                "description": row.description,
                "hint": row.hint,
                "expires_at": expires.isoformat() if expires else None,
            },
        )
    return row, value


def revoke_client_secret(
    secret: ClientSecret, *, actor: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        secret.revoked_at = timezone.now()
        secret.save(update_fields=["revoked_at"])
        audit.record(
            action="application.secret.revoke",
            actor=actor,
            request=request,
            target=secret.application,
            before={"secret_id": str(secret.id), "hint": secret.hint},
        )


# -- private_key_jwt -------------------------------------------------------------------------
def client_id_of_assertion(assertion: str) -> str | None:
    try:
        token = jws.JWS()
        token.deserialize(assertion)
        claims = json.loads(token.objects["payload"])
    except (JWException, ValueError, KeyError, TypeError):
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) and sub == claims.get("iss") else None


def parse_public_keys(text: str) -> dict[str, Any]:
    """An app's uploaded public keys for private_key_jwt, from a JWKS, a single JWK or a
    PEM public key, as a JWKS dict. Private keys are refused."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        if text.startswith("-----BEGIN"):
            if "PRIVATE" in text:
                raise ValidationError(
                    {"public_keys": "Upload the public key, never the private key."}
                )
            keys = [jwk.JWK.from_pem(text.encode())]
        else:
            data = json.loads(text)
            items = data["keys"] if isinstance(data, dict) and "keys" in data else [data]
            keys = [jwk.JWK(**item) for item in items]
    except ValidationError:
        raise
    except (ValueError, TypeError, KeyError, JWException) as exc:
        raise ValidationError({"public_keys": "Enter a JWKS, a JWK or a PEM public key."}) from exc
    result = []
    for key in keys:
        if key.has_private:
            raise ValidationError({"public_keys": "Upload the public key, never the private key."})
        public = json.loads(key.export_public())
        public.setdefault("kid", key.thumbprint())
        result.append(public)
    return {"keys": result}


def _client_keys(app: Application) -> jwk.JWKSet | None:
    data: Any = app.jwks
    if not data and app.jwks_uri:
        cache_key = "app-jwks:" + hashlib.sha256(app.jwks_uri.encode()).hexdigest()
        data = cache.get(cache_key)
        if data is None:
            try:
                data = outbound.get_json(app.jwks_uri)
            except outbound.OutboundError:
                return None
            cache.set(cache_key, data, 300)
    if not data:
        return None
    try:
        return jwk.JWKSet.from_json(json.dumps(data))
    except (JWException, ValueError, TypeError):
        return None


def verify_client_assertion(app: Application, assertion: str, audience: str) -> bool:
    """RFC 7523 client authentication: signed by the app's key, iss = sub = client id,
    aud = our token endpoint (or issuer), not expired, jti not replayed."""
    keyset = _client_keys(app)
    if keyset is None:
        return False
    try:
        token = jwt.JWT(jwt=assertion, key=keyset, algs=["RS256", "ES256", "PS256"])
        claims = json.loads(token.claims)
    except (JWException, ValueError, TypeError):
        return False
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    issuer = audience.rsplit("/oauth2/", 1)[0]
    if not (set(auds) & {audience, issuer}) or "exp" not in claims or not claims.get("jti"):
        return False
    ttl = max(int(claims["exp"]) - int(timezone.now().timestamp()), 1)
    return cache.add(f"client-assertion:{app.client_id}:{claims['jti']}", 1, ttl)
