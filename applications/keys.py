"""The tenant's signing keys: generation, rotation, the JWKS, and signing.

Keys are rows of the tenant's schema with the private part encrypted by
`ciam.crypto.encrypt`. Loaded keys are cached per process by (schema, kid); the choice of
the active key per algorithm is cached for a few seconds so a rotation is picked up
quickly by every worker."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from jwcrypto import jwk

from ciam import crypto

from .models import SigningAlgorithm, SigningKey

ACTIVE_CACHE_SECONDS = 5.0
# A retired key stays in the JWKS this long after it stopped signing: longer than any
# token lifetime the admin center allows (ID and access tokens are at most 1 day).
RETIRED_KEY_GRACE = timedelta(days=2)
# A key published as `next` becomes active on the next rotation; JWKS caches of relying
# parties (max-age below) must have refreshed before it signs.
JWKS_MAX_AGE_SECONDS = 300


def _schema() -> str:
    return getattr(connection, "schema_name", "public")


_private_cache: dict[tuple[str, str], jwk.JWK] = {}
_active_cache: dict[tuple[str, str], tuple[float, str]] = {}
_public_cache: dict[tuple[str, str], tuple[float, jwk.JWK]] = {}
PUBLIC_CACHE_SECONDS = 300.0


def _generate(algorithm: str) -> tuple[jwk.JWK, str]:
    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == SigningAlgorithm.ES256:
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key = jwk.JWK.from_pem(pem.encode())
    return key, pem


def create_key(algorithm: str, status: str = SigningKey.Status.NEXT) -> SigningKey:
    """Generate a key pair of `algorithm` and store it (private part encrypted)."""
    key, pem = _generate(algorithm)
    kid = key.thumbprint()
    public = json.loads(key.export_public())
    public.update({"kid": kid, "alg": algorithm, "use": "sig"})
    now = timezone.now()
    return SigningKey.objects.create(
        kid=kid,
        algorithm=algorithm,
        status=status,
        public_jwk=public,
        private_key_encrypted=crypto.encrypt(pem),
        activated_at=now if status == SigningKey.Status.ACTIVE else None,
    )


def _load_private(row: SigningKey) -> jwk.JWK:
    cache_key = (_schema(), row.kid)
    key = _private_cache.get(cache_key)
    if key is None:
        key = jwk.JWK.from_pem(crypto.decrypt(row.private_key_encrypted).encode())
        key["kid"] = row.kid  # type: ignore[index]
        _private_cache[cache_key] = key
    return key


def ensure_active_key(algorithm: str) -> SigningKey:
    """The active key of `algorithm`, created on first use (RSA keys are made lazily so
    tenant creation stays fast)."""
    row = SigningKey.objects.filter(algorithm=algorithm, status=SigningKey.Status.ACTIVE).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            row = create_key(algorithm, status=SigningKey.Status.ACTIVE)
            # Published now, so that the next rotation never signs with an unseen key.
            create_key(algorithm, status=SigningKey.Status.NEXT)
            return row
    except IntegrityError:  # another worker created it first
        return SigningKey.objects.get(algorithm=algorithm, status=SigningKey.Status.ACTIVE)


def signing_key(algorithm: str) -> jwk.JWK:
    """The private JWK that signs tokens of `algorithm` in the current tenant."""
    cache_key = (_schema(), algorithm)
    cached = _active_cache.get(cache_key)
    now = time.monotonic()
    if cached and cached[0] > now:
        private = _private_cache.get((_schema(), cached[1]))
        if private is not None:
            return private
    row = ensure_active_key(algorithm)
    private = _load_private(row)
    _active_cache[cache_key] = (now + ACTIVE_CACHE_SECONDS, row.kid)
    return private


def published_keys() -> list[SigningKey]:
    now = timezone.now()
    return list(SigningKey.objects.exclude(status=SigningKey.Status.RETIRED, retire_after__lte=now))


def jwks() -> dict:
    """The tenant's JSON Web Key Set: public parts only."""
    if not SigningKey.objects.filter(algorithm=SigningAlgorithm.RS256).exists():
        ensure_active_key(SigningAlgorithm.RS256)
    return {"keys": [row.public_jwk for row in published_keys()]}


def verification_key(kid: str) -> jwk.JWK | None:
    """The public key `kid` of the current tenant, if it is still published."""
    cache_key = (_schema(), kid)
    cached = _public_cache.get(cache_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    row = (
        SigningKey.objects.filter(kid=kid)
        .exclude(status=SigningKey.Status.RETIRED, retire_after__lte=timezone.now())
        .first()
    )
    if row is None:
        return None
    key = jwk.JWK(**row.public_jwk)
    _public_cache[cache_key] = (time.monotonic() + PUBLIC_CACHE_SECONDS, key)
    return key


def clear_caches() -> None:
    _private_cache.clear()
    _active_cache.clear()
    _public_cache.clear()


def rotate(algorithm: str) -> SigningKey:
    """Rotate `algorithm`: the published `next` key (or a new one) becomes active, the
    active one retires but stays published until its tokens expire, and a fresh `next`
    key is published for the following rotation."""
    now = timezone.now()
    with transaction.atomic():
        current = (
            SigningKey.objects.select_for_update()
            .filter(algorithm=algorithm, status=SigningKey.Status.ACTIVE)
            .first()
        )
        nxt = (
            SigningKey.objects.select_for_update()
            .filter(algorithm=algorithm, status=SigningKey.Status.NEXT)
            .order_by("created_at")
            .first()
        )
        if current is not None:
            current.status = SigningKey.Status.RETIRED
            current.retired_at = now
            current.retire_after = now + RETIRED_KEY_GRACE
            current.save(update_fields=["status", "retired_at", "retire_after"])
        if nxt is None:
            nxt = create_key(algorithm, status=SigningKey.Status.ACTIVE)
        else:
            nxt.status = SigningKey.Status.ACTIVE
            nxt.activated_at = now
            nxt.save(update_fields=["status", "activated_at"])
        create_key(algorithm, status=SigningKey.Status.NEXT)
        SigningKey.objects.filter(status=SigningKey.Status.RETIRED, retire_after__lte=now).delete()
    _active_cache.pop((_schema(), algorithm), None)
    return nxt


def rotation_due(algorithm: str, max_age: timedelta) -> bool:
    active = SigningKey.objects.filter(algorithm=algorithm, status=SigningKey.Status.ACTIVE).first()
    return (
        active is not None and (active.activated_at or active.created_at) < timezone.now() - max_age
    )
