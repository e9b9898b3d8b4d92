"""The tenant's password policy applied to customer passwords."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    UserAttributeSimilarityValidator,
    validate_password,
)


def validate_customer_password(password: str, user: Any = None) -> None:
    """Raise ValidationError when `password` breaks the tenant's policy."""
    from .services import get_password_policy

    policy = get_password_policy()
    validators: list = [MinimumLengthValidator(policy.min_length)]
    if policy.reject_common:
        validators.append(CommonPasswordValidator())
    if user is not None:
        validators.append(UserAttributeSimilarityValidator())
    validate_password(password, user=user, password_validators=validators)
