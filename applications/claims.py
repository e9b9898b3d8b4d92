"""Claims about a user, chosen per app in its token configuration."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress

from . import token_claims
from .models import Application

# Claim -> OIDC scope that releases it.
CLAIM_SCOPES = {
    "name": "profile",
    "given_name": "profile",
    "family_name": "profile",
    "email": "email",
    "email_verified": "email",
}
OPTIONAL_CLAIMS = [*CLAIM_SCOPES, "groups", "custom_attributes"]


def _email_verified(user: Any) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_claims(user: Any, app: Application, scopes: list[str]) -> dict[str, Any]:
    """Profile claims released to `app` for a token with `scopes`."""
    chosen = set(app.token_claims or []) | {
        c for c, s in CLAIM_SCOPES.items() if s in scopes and s == "email"
    }
    if "profile" in scopes:
        chosen |= {"name", "given_name", "family_name"}
    values: dict[str, Any] = {}
    for claim in chosen:
        scope = CLAIM_SCOPES.get(claim)
        if scope and scope not in scopes:
            continue
        if claim == "name" and user.display_name:
            values["name"] = user.display_name
        elif claim == "given_name" and user.given_name:
            values["given_name"] = user.given_name
        elif claim == "family_name" and user.surname:
            values["family_name"] = user.surname
        elif claim == "email" and user.email:
            values["email"] = user.email
        elif claim == "email_verified" and user.email:
            values["email_verified"] = _email_verified(user)
    if "custom_attributes" in chosen:
        for name, value in (user.custom_attributes or {}).items():
            values[f"extension_{name}"] = value
    if app.include_groups or "groups" in chosen:
        values["groups"] = group_ids(user)
    return values


def group_ids(user: Any) -> list[str]:
    """The ids of the security groups `user` is a member of (the `groups` claim)."""
    groups = getattr(user, "groups", None)
    if groups is None or not hasattr(groups, "values_list"):
        return []
    return sorted(str(pk) for pk in groups.values_list("pk", flat=True))


def emits_groups(app: Application | None) -> bool:
    return app is not None and (app.include_groups or "groups" in (app.token_claims or []))


def extension_claims(request: Any) -> dict[str, Any]:
    """Claims that custom authentication extensions (OnTokenIssuanceStart, through
    `token_claims`) add to this token request's ID and access tokens: only those the app's
    claims mapping (`extension_claims`) names. Asked once per token request (remembered
    on it); an app that maps no claim asks nothing, so its path stays free of SQL. Raises
    TokenIssuanceRefused when an extension configured to fail issuance failed."""
    cached = getattr(request, "_ciam_extension_claims", None)
    if cached is not None:
        return cached
    app: Application = request.client
    mapping = set(app.extension_claims or [])
    found: dict[str, Any] = {}
    if mapping and token_claims.has_provider():
        from .tokens import issuer_for, tenant_id

        user = getattr(request, "user", None)
        app_only = request.grant_type == "client_credentials" or user is None
        ctx = token_claims.TokenIssuanceContext(
            tenant_id=tenant_id(),
            issuer=issuer_for(request),
            client_id=app.client_id,
            grant_type=str(request.grant_type),
            scopes=tuple(request.scopes or ()),
            user_id=None if app_only else str(user.pk),
            client_ip=_client_ip(request),
            extra={} if app_only else {"user": user},
        )
        found = {k: v for k, v in token_claims.collect(ctx).items() if k in mapping}
    request._ciam_extension_claims = found
    return found


def _client_ip(request: Any) -> str:
    django_request = getattr(request, "_request", None)
    if django_request is not None:
        return django_request.META.get("REMOTE_ADDR", "") or ""
    headers = getattr(request, "headers", None) or {}
    return str(headers.get("REMOTE_ADDR", "") or "")
