"""The management API's application permissions granted to daemon apps. A grant is the
identity server's `ApiPermission` row, so client-credentials tokens carry it; the
catalogue of permissions is the directory's (directory.roles). Who may grant what is
decided by applications.services.grant_api_permission from that catalogue
(PermissionDenied for any other actor)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from directory.services_access import API_PERMISSIONS

from . import services
from .models import ApiPermission, Application


def grant_api_permission(
    *, client_id: str, permission: str, actor: Any, request: HttpRequest | None = None
) -> ApiPermission:
    """Grant an application permission of the management API to a daemon app. The grant
    is the identity server's `ApiPermission` row, so client-credentials tokens carry it."""
    if permission not in API_PERMISSIONS:
        raise ValidationError({"permission": "Unknown permission."})
    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        raise ValidationError({"client_id": "No app registration has this client ID."})
    if app.authorization_grant_type != Application.GRANT_CLIENT_CREDENTIALS:
        raise ValidationError({"client_id": "Only daemon apps (client credentials) qualify."})
    if permission in granted_api_permissions(client_id):
        raise ValidationError({"permission": "Already granted."})
    try:
        return services.grant_api_permission(app, value=permission, actor=actor, request=request)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "value" in exc.error_dict:
            raise ValidationError({"permission": exc.message_dict["value"]}) from exc
        raise


def revoke_api_permission(
    *, grant: ApiPermission, actor: Any, request: HttpRequest | None = None
) -> None:
    services.revoke_api_permission(grant, actor=actor, request=request)


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
