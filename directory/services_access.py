"""Machine access to the directory: SCIM bearer tokens and the management API's
application permissions granted to daemon apps."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from applications.models import ApiPermission
from ciam.crypto import keyed_hash

from . import audit
from .models import ScimToken

API_PERMISSIONS = [
    "User.Read.All",
    "User.ReadWrite.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Reports.Read.All",
]
SCIM_TOKEN_PREFIX = "scim_"


def create_scim_token(
    *, name: str, actor: Any, request: HttpRequest | None = None
) -> tuple[ScimToken, str]:
    """Create a SCIM bearer token; the token itself is returned once and only its keyed
    hash is stored."""
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise ValidationError({"name": "Enter a name of at most 128 characters."})
    token = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ScimToken.objects.create(
            name=name,
            token_hash=keyed_hash(token),
            hint=token[:8],
            created_by=str(getattr(actor, "email", actor) or "")[:254],
        )
        audit.record(
            action="scim_token.create",
            actor=actor,
            request=request,
            target=row,
            after={"name": name, "hint": row.hint},
        )
    return row, token


def revoke_scim_token(*, token: ScimToken, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                action="scim_token.revoke",
                actor=actor,
                request=request,
                target=token,
                before={"name": token.name, "hint": token.hint},
            )


def authenticate_scim_token(token: str) -> ScimToken | None:
    """The live SCIM token row for this bearer token, or None."""
    if not token or not token.startswith(SCIM_TOKEN_PREFIX) or len(token) > 200:
        return None
    row = ScimToken.objects.filter(token_hash=keyed_hash(token), revoked_at__isnull=True).first()
    if row is not None:
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ScimToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def grant_api_permission(
    *, client_id: str, permission: str, actor: Any, request: HttpRequest | None = None
) -> ApiPermission:
    """Grant an application permission of the management API to a daemon app. The grant
    is the identity server's `ApiPermission` row, so client-credentials tokens carry it."""
    from applications import services as app_services
    from applications.models import Application

    if permission not in API_PERMISSIONS:
        raise ValidationError({"permission": "Unknown permission."})
    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        raise ValidationError({"client_id": "No app registration has this client ID."})
    if app.authorization_grant_type != Application.GRANT_CLIENT_CREDENTIALS:
        raise ValidationError({"client_id": "Only daemon apps (client credentials) qualify."})
    if permission in granted_api_permissions(client_id):
        raise ValidationError({"permission": "Already granted."})
    return app_services.grant_api_permission(app, value=permission, actor=actor, request=request)


def revoke_api_permission(
    *, grant: ApiPermission, actor: Any, request: HttpRequest | None = None
) -> None:
    from applications import services as app_services

    app_services.revoke_api_permission(grant, actor=actor, request=request)


def management_api_grants() -> QuerySet[ApiPermission]:
    """Management API permissions granted to the tenant's apps."""
    return ApiPermission.objects.filter(
        resource__isnull=True, kind=ApiPermission.Kind.APPLICATION
    ).select_related("client")


def granted_api_permissions(client_id: str) -> set[str]:
    """The management API permissions an admin granted to this app (the token endpoint
    puts them in client-credentials tokens; the API also checks them on every call, so a
    revoked grant takes effect at once)."""
    return set(
        management_api_grants().filter(client__client_id=client_id).values_list("value", flat=True)
    )
