"""The tenant's password policy applied to customer passwords. Breached passwords are
always refused (directory.breached, also in AUTH_PASSWORD_VALIDATORS for admin-set ones)."""

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
    from directory.breached import BreachedPasswordValidator

    from .services import get_password_policy

    policy = get_password_policy()
    validators: list = [MinimumLengthValidator(policy.min_length)]
    if policy.reject_common:
        validators.append(CommonPasswordValidator())
    if user is not None:
        validators.append(UserAttributeSimilarityValidator())
    validators.append(BreachedPasswordValidator())
    validate_password(password, user=user, password_validators=validators)


def breached_at_signin(user: Any, password: str) -> bool:
    """A customer just proved `password`: when it now appears in a breach and the tenant's
    policy says so, the account must change it before anything else (the same mechanism
    as a temporary password). Returns True when the account was marked."""
    from directory.breached import is_breached
    from directory.models import User
    from directory.services_users import require_password_change

    from .services import get_password_policy

    if getattr(user, "kind", None) != User.Kind.CUSTOMER or user.must_change_password:
        return False
    if not get_password_policy().change_breached_at_signin or not is_breached(password):
        return False
    require_password_change(user)
    return True
