"""Directory services: admin accounts and their roles, tenant settings, admin sign-in.
Customer-account services grow here with the directory issue."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from . import audit
from .emails import normalize_email
from .models import RoleAssignment, TenantSettings, User
from .roles import API_PERMISSION_BY_NAME, Role, may_grant_api_permission, permissions_for


def random_password() -> str:
    return secrets.token_urlsafe(18)


def initialize_tenant_directory(tenant: Any) -> None:
    """Provisioning step: the tenant's settings row, carrying its id for tokens."""
    TenantSettings.objects.update_or_create(id=1, defaults={"tenant_id": tenant.pk})


def get_tenant_settings() -> TenantSettings:
    settings_row, _ = TenantSettings.objects.get_or_create(id=1)
    return settings_row


def update_tenant_settings(
    *, require_admin_mfa: bool, actor: Any, request: HttpRequest | None = None
) -> TenantSettings:
    with transaction.atomic():
        row = TenantSettings.objects.select_for_update().get_or_create(id=1)[0]
        before = audit.snapshot(row, ["require_admin_mfa"])
        row.require_admin_mfa = require_admin_mfa
        row.save()
        audit.record(
            action="settings.update",
            actor=actor,
            request=request,
            target=row,
            target_label="Tenant settings",
            before=before,
            after=audit.snapshot(row, ["require_admin_mfa"]),
        )
    return row


def validate_roles(roles: list[str]) -> list[str]:
    valid = set(Role.values)
    unknown = [r for r in roles if r not in valid]
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(unknown)}"})
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    return sorted(set(roles))


def create_admin(
    *,
    email: str,
    password: str | None,
    roles: list[str],
    actor: Any,
    request: HttpRequest | None = None,
    display_name: str = "",
    generate_password: bool = False,
    password_hash: str | None = None,
) -> tuple[User, str | None]:
    """Create an admin account in the current tenant with the given roles.

    Returns the user and, when `generate_password` is set and no password was given, the
    generated one-time password to hand over."""
    email = normalize_email(email)
    if not email:
        raise ValidationError({"email": "Enter a valid email address."})
    roles = validate_roles(roles)
    new_password = None
    if password is None and generate_password:
        new_password = password = random_password()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": "An account with this email already exists."})
        if password:
            from django.contrib.auth.password_validation import validate_password

            candidate = User(email=email, display_name=display_name)
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(
            email, password, kind=User.Kind.ADMIN, display_name=display_name or email
        )
        if password_hash:
            # The platform operator who creates a tenant signs in with the same password.
            user.password = password_hash
            user.save(update_fields=["password"])
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=r) for r in roles)
        audit.record(
            action="admin.create",
            actor=actor,
            request=request,
            target=user,
            after={
                **(audit.snapshot(user, ["email", "display_name", "kind"]) or {}),
                "roles": roles,
            },
        )
    return user, new_password


def admin_roles(user: User) -> list[str]:
    return sorted(user.role_assignments.values_list("role", flat=True))


def set_admin_roles(
    *, user: User, roles: list[str], actor: Any, request: HttpRequest | None = None
) -> User:
    roles = validate_roles(roles)
    with transaction.atomic():
        before = admin_roles(user)
        if Role.GLOBAL_ADMINISTRATOR in before and Role.GLOBAL_ADMINISTRATOR not in roles:
            _ensure_other_global_admin(user)
        RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
        for role in roles:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        audit.record(
            action="admin.roles.update",
            actor=actor,
            request=request,
            target=user,
            before={"roles": before},
            after={"roles": roles},
        )
    return user


def _ensure_other_global_admin(user: User) -> None:
    others = (
        RoleAssignment.objects.select_for_update()
        .filter(role=Role.GLOBAL_ADMINISTRATOR, user__is_active=True)
        .exclude(user=user)
    )
    if not others.exists():
        raise ValidationError("The tenant must keep at least one active Global Administrator.")


def remove_admin(*, user: User, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if user.kind != User.Kind.ADMIN:
            raise ValidationError("Not an admin account.")
        _ensure_other_global_admin(user)
        before = {
            **(audit.snapshot(user, ["email", "display_name"]) or {}),
            "roles": admin_roles(user),
        }
        target_id, label = str(user.pk), str(user)
        user.delete()
        audit.record(
            action="admin.delete",
            actor=actor,
            request=request,
            target_type="directory.user",
            target_id=target_id,
            target_label=label,
            before=before,
        )


def authenticate_admin(request: HttpRequest, email: str, password: str) -> User | None:
    """The admin account for these credentials, or None. Customer accounts, disabled
    accounts and wrong passwords all look the same to the caller."""
    user = ModelBackend().authenticate(
        request, username=normalize_email(email) or email, password=password
    )
    if user is None or user.kind != User.Kind.ADMIN or not user.is_active:
        return None
    return user


def authenticate_operator(request: HttpRequest, email: str, password: str) -> User | None:
    """The platform operator for these credentials (public schema), or None."""
    user = ModelBackend().authenticate(
        request, username=normalize_email(email) or email, password=password
    )
    if user is None or user.kind != User.Kind.OPERATOR or not user.is_active:
        return None
    return user


def admin_permissions(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.ADMIN:
        return frozenset()
    return permissions_for(admin_roles(user))


def _acting_admin_roles(actor: Any) -> list[str] | None:
    """The roles `actor` acts with: None for a trusted script (a string actor: a management
    command, a seed, a test), [] for anything that holds no role (an app calling the API,
    a customer, no one)."""
    if isinstance(actor, str) and actor:
        return None
    if isinstance(actor, User) and actor.kind == User.Kind.ADMIN and actor.is_active:
        return admin_roles(actor)
    return []


def ensure_may_grant_api_permission(actor: Any, name: str) -> None:
    """Raise PermissionDenied unless `actor` may grant or revoke the management API
    permission `name` (see directory.roles: a role listed for it that holds everything it
    allows). Apps never may: no token can widen its own or another app's permissions."""
    roles = _acting_admin_roles(actor)
    if roles is None:
        return
    if not roles:
        raise PermissionDenied("Only an admin can grant or revoke API permissions.")
    if not may_grant_api_permission(roles, name):
        permission = API_PERMISSION_BY_NAME.get(name)
        who = ", ".join(Role(r).label for r in permission.grantable_by) if permission else ""
        raise PermissionDenied(f"Only {who or 'no role'} can grant or revoke {name}.")


def ensure_may_manage_app_permissions(actor: Any) -> None:
    """Permissions of the tenant's own web APIs (app roles, delegated scopes): an admin
    who may change app registrations, never an app."""
    roles = _acting_admin_roles(actor)
    if roles is None:
        return
    if "apps.write" not in permissions_for(roles):
        raise PermissionDenied("Only an admin who manages app registrations can do this.")


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def create_operator(email: str, password: str) -> User:
    """A platform operator, in the public schema."""
    email = normalize_email(email)
    if not email:
        raise ValidationError({"email": "Enter a valid email address."})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email, password, kind=User.Kind.OPERATOR)
    user.set_password(password)
    user.kind = User.Kind.OPERATOR
    user.save()
    return user
