"""Sign-in identities of customer accounts: local email + password, email one-time code,
and federated identities (issuer + subject).

The directory keeps its own Identity rows (so that imports, SCIM and the API can link
identities); federated accounts that the customer sign-in (django-allauth) links are
read from allauth's SocialAccount and shown alongside."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from . import audit
from .models import Identity, User
from .services_users import LOCAL_ISSUER


def add_identity(
    *,
    user: User,
    type: str,
    issuer: str,
    subject: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> Identity:
    """Link a sign-in identity (e.g. a federated issuer + subject) to a user."""
    if type not in Identity.Type.values:
        raise ValidationError({"type": "Unknown identity type."})
    issuer, subject = (issuer or "").strip(), (subject or "").strip()
    if type != Identity.Type.FEDERATED:
        issuer = LOCAL_ISSUER
    errors = {}
    if not issuer or len(issuer) > 512:
        errors["issuer"] = "Enter the issuer (at most 512 characters)."
    if not subject or len(subject) > 512:
        errors["subject"] = "Enter the subject (at most 512 characters)."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            identity = Identity.objects.create(user=user, type=type, issuer=issuer, subject=subject)
            audit.record(
                action="user.identity.add",
                actor=actor,
                request=request,
                target=user,
                after={"type": type, "issuer": issuer, "subject": subject},
            )
    except IntegrityError:
        raise ValidationError(
            {"subject": "This identity is already linked to an account."}
        ) from None
    return identity


def remove_identity(*, identity: Identity, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        before = {"type": identity.type, "issuer": identity.issuer, "subject": identity.subject}
        user = identity.user
        identity.delete()
        audit.record(
            action="user.identity.remove", actor=actor, request=request, target=user, before=before
        )


def identities_of(user: User) -> list[dict[str, Any]]:
    """The user's sign-in identities: the directory's own rows, plus federated accounts that
    the customer sign-in (django-allauth) linked."""
    rows = [
        {
            "id": str(i.pk),
            "type": i.type,
            "issuer": i.issuer,
            "subject": i.subject,
            "created_at": i.created_at,
            "source": "directory",
        }
        for i in user.identities.all()
    ]
    from allauth.socialaccount.models import SocialAccount

    for account in SocialAccount.objects.filter(user=user):
        rows.append(
            {
                "id": f"social-{account.pk}",
                "type": Identity.Type.FEDERATED.value,
                "issuer": account.provider,
                "subject": account.uid,
                "created_at": account.date_joined,
                "source": "allauth",
            }
        )
    return rows
