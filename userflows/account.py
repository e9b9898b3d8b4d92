"""Customer self-service: profile, app consents, account deletion."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from directory.models import User
from insights.services import record_event

from .attributes import apply_values
from .models import UserFlow
from .signup import json_values


@transaction.atomic
def update_profile(request: HttpRequest, user: User, flow: UserFlow, values: dict) -> None:
    """Save the customer's own profile values (the flow's attributes)."""
    apply_values(user, json_values(values))
    user.save()
    record_event("account.profile_updated", request=request, user_id=user.pk, flow_id=flow.pk)


def consented_apps(user: User) -> list[Any]:
    """Apps the customer consented to, or holding live grants or tokens for them."""
    from applications.models import Consent

    app_ids: set[Any] = set(
        Consent.objects.filter(user=user).values_list("application_id", flat=True)
    )
    for model in (get_access_token_model(), get_refresh_token_model(), get_grant_model()):
        app_ids.update(
            model.objects.filter(user=user)
            .exclude(application=None)
            .values_list("application_id", flat=True)
        )
    return list(get_application_model().objects.filter(pk__in=app_ids).order_by("name"))


def _tokens(user: User, application: Any = None) -> list[Any]:
    filters: dict[str, Any] = {"user": user}
    if application is not None:
        filters["application"] = application
    return [
        model.objects.filter(**filters)
        for model in (
            get_refresh_token_model(),
            get_access_token_model(),
            get_id_token_model(),
            get_grant_model(),
        )
    ]


@transaction.atomic
def revoke_consent(request: HttpRequest, user: User, application: Any) -> None:
    """Withdraw an app's access: the remembered consent, and the app's grants and tokens
    for this customer, are deleted (its next sign-in asks for consent again)."""
    from applications.models import Consent

    Consent.objects.filter(user=user, application=application).delete()
    for queryset in _tokens(user, application):
        queryset.delete()
    record_event(
        "account.consent_revoked",
        request=request,
        user_id=user.pk,
        client_id=application.client_id,
    )


@transaction.atomic
def delete_account(request: HttpRequest, user: User) -> None:
    """Delete the customer: tokens revoked, personal data (the user row, emails, linked
    provider accounts, authenticators, sessions) removed. The event keeps the id only."""
    if user.kind != User.Kind.CUSTOMER:
        raise PermissionError("Only customer accounts delete themselves here.")
    user_id = user.pk
    for queryset in _tokens(user):
        queryset.delete()
    user.delete()  # emails, social accounts, authenticators and user sessions cascade
    record_event("account.deleted", request=request, user_id=user_id)
