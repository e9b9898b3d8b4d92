"""Machine access to the directory: SCIM bearer tokens, and the catalogue of the
management API's application permissions (their grants to daemon apps are rows of the
identity server: applications/management_api.py)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ciam.crypto import keyed_hash

from . import audit
from .models import ScimToken
from .roles import API_PERMISSION_NAMES

API_PERMISSIONS = list(API_PERMISSION_NAMES)  # the catalogue's, in its order
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
