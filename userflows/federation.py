"""Federation with the tenant's identity providers through allauth's providers (Google,
Facebook, OpenID Connect). Works with any standard OIDC issuer, including another tenant
of this platform."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialApp
from django.http import HttpRequest

from ciam import crypto

from . import context
from .models import IdentityProvider
from .services import BUILTIN_ATTRIBUTES


def build_social_app(provider: IdentityProvider) -> SocialApp:
    settings: dict[str, Any] = {}
    if provider.kind == IdentityProvider.Kind.OIDC:
        settings = {
            "server_url": provider.issuer,
            "scope": provider.scopes.split() or ["openid", "email", "profile"],
            "oauth_pkce_enabled": True,
        }
    else:
        settings = {"scope": provider.scopes.split()} if provider.scopes else {}
    secret = (
        crypto.decrypt(provider.client_secret_encrypted) if provider.client_secret_encrypted else ""
    )
    return SocialApp(
        provider=provider.kind,
        provider_id=provider.slug if provider.kind == IdentityProvider.Kind.OIDC else "",
        name=provider.name,
        client_id=provider.client_id,
        secret=secret,
        settings=settings,
    )


def social_apps(request: HttpRequest | None, provider: Any = None, client_id: Any = None):
    rows = IdentityProvider.objects.all()
    if request is not None and hasattr(request, "session"):
        rows = context.get_flow(request).identity_providers.all()
    apps = []
    for row in rows:
        app = build_social_app(row)
        if provider and provider not in (app.provider, app.provider_id):
            continue
        if client_id and client_id != app.client_id:
            continue
        apps.append(app)
    return apps


def mapped_values(sociallogin: Any) -> dict[str, str]:
    """Profile values taken from the provider's claims through the claim mapping."""
    data = sociallogin.account.extra_data or {}
    claims = data.get("userinfo") or data.get("id_token") or data
    row = (
        IdentityProvider.objects.filter(slug=sociallogin.account.provider).first()
        or IdentityProvider.objects.filter(kind=sociallogin.account.provider).first()
    )
    mapping = {"given_name": "given_name", "family_name": "surname", "name": "display_name"}
    if row is not None:
        mapping.update(row.claim_mapping or {})
    values = {}
    for claim, attribute in mapping.items():
        if attribute in BUILTIN_ATTRIBUTES and isinstance(claims.get(claim), str):
            values[attribute] = claims[claim][:128]
    return values


def discover_oidc(issuer: str) -> dict[str, Any]:
    """Fetch and check the issuer's discovery document (OpenID Connect Discovery 1.0)."""
    from django.core.exceptions import ValidationError

    from ciam import outbound

    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        meta = outbound.get_json(url)
    except outbound.OutboundError as exc:
        raise ValidationError({"issuer": f"Discovery failed at {url}: {exc}"}) from exc
    if not isinstance(meta, dict) or str(meta.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError({"issuer": "The discovery document names another issuer."})
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not meta.get(key):
            raise ValidationError({"issuer": f"The discovery document lacks {key}."})
    # Every endpoint the sign-in will call obeys the same outbound rules as the issuer
    # (the session allauth uses checks each connection again at sign-in time).
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        value = meta.get(key)
        if value is None and key == "userinfo_endpoint":
            continue
        try:
            if not isinstance(value, str):
                raise outbound.OutboundError("It is not a URL.")
            outbound.check_url(value)
        except outbound.OutboundError as exc:
            raise ValidationError({"issuer": f"The discovery document's {key}: {exc}"}) from exc
    return meta
