"""Customer accounts: create, update, block and unblock, reset password, delete, identities.

Every change is audited. Blocking, password resets and deletion end the account's sessions
at once (the session auth hash includes `User.security_stamp`, which they rotate: Django
refuses a session whose hash no longer matches, wherever the session is stored) and revoke
its OAuth tokens (django-oauth-toolkit rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import audit
from .models import CustomAttribute, Identity, User, new_security_stamp
from .services import normalize_email, random_password

PROFILE_FIELDS = [
    "display_name",
    "given_name",
    "surname",
    "city",
    "country",
    "postal_code",
    "state",
    "street_address",
    "job_title",
]
AUDIT_FIELDS = ["email", "is_active", "kind", *PROFILE_FIELDS, "custom_attributes"]
LOCAL_ISSUER = "local"


def _field_limits() -> dict[str, int]:
    return {
        name: getattr(User._meta.get_field(name), "max_length", None) or 256
        for name in PROFILE_FIELDS
    }


def clean_profile(values: dict[str, Any]) -> dict[str, str]:
    """Validated built-in profile attributes (only those given)."""
    limits = _field_limits()
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name not in limits:
            errors[name] = "Unknown attribute."
            continue
        value = "" if value is None else value
        if not isinstance(value, str):
            errors[name] = "Must be a string."
        elif len(value) > limits[name]:
            errors[name] = f"At most {limits[name]} characters."
        else:
            cleaned[name] = value.strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def _coerce(definition: CustomAttribute, value: Any) -> Any:
    kind = definition.data_type
    if kind == CustomAttribute.DataType.STRING:
        if not isinstance(value, str) or len(value) > 1024:
            raise ValueError("Must be a string of at most 1024 characters.")
        return value
    if kind == CustomAttribute.DataType.INTEGER:
        if isinstance(value, bool):
            raise ValueError("Must be an integer.")
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or abs(value) > 2**53:
            raise ValueError("Must be an integer.")
        return value
    if kind == CustomAttribute.DataType.BOOLEAN:
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        if not isinstance(value, bool):
            raise ValueError("Must be true or false.")
        return value
    if not isinstance(value, str):
        raise ValueError("Must be a date (YYYY-MM-DD).")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("Must be a date (YYYY-MM-DD).") from None


def clean_custom_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """Custom attribute values checked against the tenant's definitions; None removes."""
    if not isinstance(values, dict):
        raise ValidationError({"custom_attributes": "Must be an object."})
    definitions = {d.name: d for d in CustomAttribute.objects.filter(name__in=list(values))}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            errors[f"custom_attributes.{name}"] = "No custom attribute has this name."
            continue
        if value is None or value == "":
            cleaned[name] = None
            continue
        try:
            cleaned[name] = _coerce(definition, value)
        except ValueError as exc:
            errors[f"custom_attributes.{name}"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _merge_attributes(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current or {})
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def create_customer(
    *,
    email: str,
    actor: Any,
    request: HttpRequest | None = None,
    password: str | None = None,
    generate_password: bool = False,
    profile: dict[str, Any] | None = None,
    custom_attributes: dict[str, Any] | None = None,
    external_id: str = "",
    is_active: bool = True,
    scim_data: dict[str, Any] | None = None,
    email_optional: bool = False,
) -> tuple[User, str | None]:
    """Create a customer account with a local identity. Returns the user and the one-time
    password generated when `generate_password` is set (the user must change it).
    `email_optional` (provisioning) allows an account without an email address."""
    clean_email = normalize_email(email)
    if not clean_email and not email_optional:
        raise ValidationError({"email": "Enter a valid email address."})
    profile_values = clean_profile(profile or {})
    attributes = clean_custom_attributes(custom_attributes or {})
    temporary = None
    if password is None and generate_password:
        temporary = password = random_password()
    candidate = User(email=clean_email, **profile_values)
    if password and not temporary:
        _check_password(password, candidate)
    try:
        with transaction.atomic():
            if clean_email and User.objects.filter(email__iexact=clean_email).exists():
                raise ValidationError({"email": "An account with this email already exists."})
            user = User.objects.create_user(
                clean_email or "",
                password,
                kind=User.Kind.CUSTOMER,
                is_active=is_active,
                external_id=external_id or "",
                must_change_password=bool(temporary),
                custom_attributes=_merge_attributes({}, attributes),
                scim_data=scim_data or {},
                **profile_values,
            )
            Identity.objects.create(
                user=user,
                type=Identity.Type.PASSWORD if password else Identity.Type.EMAIL_OTP,
                issuer=LOCAL_ISSUER,
                subject=clean_email or str((scim_data or {}).get("userName") or user.pk),
            )
            audit.record(
                action="user.create",
                actor=actor,
                request=request,
                target=user,
                after=audit.snapshot(user, AUDIT_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"email": "An account with this email already exists."}) from None
    return user, temporary


def update_user(
    *,
    user: User,
    actor: Any,
    request: HttpRequest | None = None,
    email: str | None = None,
    profile: dict[str, Any] | None = None,
    custom_attributes: dict[str, Any] | None = None,
    replace_custom_attributes: bool = False,
    external_id: str | None = None,
    scim_data: dict[str, Any] | None = None,
    email_optional: bool = False,
) -> User:
    """Change a user's email, profile and custom attribute values."""
    profile_values = clean_profile(profile or {})
    attributes = clean_custom_attributes(custom_attributes or {})
    clean_email = None
    if email is not None:
        clean_email = normalize_email(email)
        if not clean_email and not email_optional:
            raise ValidationError({"email": "Enter a valid email address."})
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            before = audit.snapshot(locked, AUDIT_FIELDS)
            if clean_email and clean_email != locked.email:
                if User.objects.filter(email__iexact=clean_email).exclude(pk=user.pk).exists():
                    raise ValidationError({"email": "An account with this email already exists."})
                Identity.objects.filter(
                    user=locked, issuer=LOCAL_ISSUER, subject=locked.email or ""
                ).update(subject=clean_email)
                locked.email = clean_email
            for name, value in profile_values.items():
                setattr(locked, name, value)
            base = {} if replace_custom_attributes else locked.custom_attributes
            locked.custom_attributes = _merge_attributes(base, attributes)
            if external_id is not None:
                locked.external_id = external_id
            if scim_data is not None:
                locked.scim_data = scim_data
            locked.save()
            audit.record(
                action="user.update",
                actor=actor,
                request=request,
                target=locked,
                before=before,
                after=audit.snapshot(locked, AUDIT_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"email": "An account with this email already exists."}) from None
    return locked


def revoke_tokens(user: User) -> int:
    """Revoke every refresh token and delete every access token of the user."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    now = timezone.now()
    refresh = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    count = refresh.update(revoked=now)
    get_access_token_model().objects.filter(user=user).delete()
    return count


def end_sessions(user: User) -> None:
    """End every session of the user now (see the module docstring)."""
    user.security_stamp = new_security_stamp()
    User.objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)


def set_blocked(
    *, user: User, blocked: bool, actor: Any, request: HttpRequest | None = None
) -> User:
    """Block (ending sessions and revoking tokens at once) or unblock an account."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.kind != User.Kind.CUSTOMER:
            raise ValidationError("Admin accounts are managed under Roles & admins.")
        before = {"is_active": locked.is_active}
        locked.is_active = not blocked
        locked.save(update_fields=["is_active", "updated_at"])
        if blocked:
            end_sessions(locked)
            revoke_tokens(locked)
        audit.record(
            action="user.block" if blocked else "user.unblock",
            actor=actor,
            request=request,
            target=locked,
            before=before,
            after={"is_active": locked.is_active},
        )
    return locked


def set_password(
    *, user: User, password: str, actor: Any, request: HttpRequest | None = None
) -> None:
    """Set a customer's password (validated); other sessions end, tokens are revoked."""
    _check_password(password, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.must_change_password = False
        locked.password_migration_pending = False  # the legacy password no longer counts
        locked.security_stamp = new_security_stamp()
        locked.save(
            update_fields=[
                "password",
                "must_change_password",
                "password_migration_pending",
                "security_stamp",
            ]
        )
        Identity.objects.get_or_create(
            user=locked,
            type=Identity.Type.PASSWORD,
            issuer=LOCAL_ISSUER,
            subject=locked.email or str(locked.pk),
        )
        revoke_tokens(locked)
        audit.record(action="user.password.set", actor=actor, request=request, target=locked)


def _reset_link(user: User, request: HttpRequest | None, base_url: str) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    try:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
    except NoReverseMatch:
        path = reverse("account_reset_password")
    if request is not None:
        return request.build_absolute_uri(path)
    return base_url.rstrip("/") + path


def reset_password(
    *,
    user: User,
    mode: str,
    actor: Any,
    request: HttpRequest | None = None,
    base_url: str = "",
) -> str | None:
    """Reset a customer's password. mode "temporary": a one-time password is returned and
    must be changed at the next sign-in; mode "email": the password is removed and a reset
    link is emailed. Either way sessions end and tokens are revoked."""
    if mode not in {"temporary", "email"}:
        raise ValidationError({"mode": "Choose temporary or email."})
    if user.kind != User.Kind.CUSTOMER:
        raise ValidationError("Admin accounts are managed under Roles & admins.")
    if mode == "email" and not user.email:
        raise ValidationError({"mode": "The account has no email address."})
    temporary = random_password() if mode == "temporary" else None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if temporary:
            locked.set_password(temporary)
        else:
            locked.set_unusable_password()
        locked.must_change_password = bool(temporary)
        locked.security_stamp = new_security_stamp()
        locked.save(update_fields=["password", "must_change_password", "security_stamp"])
        Identity.objects.get_or_create(
            user=locked,
            type=Identity.Type.PASSWORD,
            issuer=LOCAL_ISSUER,
            subject=locked.email or str(locked.pk),
        )
        revoke_tokens(locked)
        audit.record(
            action="user.password.reset",
            actor=actor,
            request=request,
            target=locked,
            after={"mode": mode},
        )
        if mode == "email":
            link = _reset_link(locked, request, base_url)
            email = locked.email or ""
            transaction.on_commit(
                lambda: send_mail(
                    "Reset your password",
                    f"An administrator asked you to choose a new password:\n\n{link}\n",
                    None,
                    [email],
                )
            )
    user.refresh_from_db()
    return temporary


def delete_user(*, user: User, actor: Any, request: HttpRequest | None = None) -> None:
    """Delete a customer account with its personal data, identities, memberships and
    tokens. The audit event keeps only the account id."""
    if user.kind != User.Kind.CUSTOMER:
        raise ValidationError("Admin accounts are removed under Roles & admins.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        target_id = str(locked.pk)
        revoke_tokens(locked)
        from oauth2_provider.models import get_grant_model, get_id_token_model

        get_grant_model().objects.filter(user=locked).delete()
        get_id_token_model().objects.filter(user=locked).delete()
        locked.delete()  # identities, memberships, allauth rows cascade
        audit.record(
            action="user.delete",
            actor=actor,
            request=request,
            target_type="directory.user",
            target_id=target_id,
            target_label=target_id,
        )


def require_password_change(user: User) -> None:
    """The account must choose a new password at its next page (its password appeared in
    a breach); the customer pages enforce it (userflows PasswordChangeRequiredMiddleware)."""
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True


def password_chosen_by_customer(user: User) -> None:
    """The customer chose their own password: a temporary one no longer needs changing,
    and a legacy one (just-in-time migration) no longer counts."""
    if getattr(user, "must_change_password", False) or getattr(
        user, "password_migration_pending", False
    ):
        User.objects.filter(pk=user.pk).update(
            must_change_password=False, password_migration_pending=False
        )
        user.must_change_password = False
        user.password_migration_pending = False


def set_password_migration_pending(
    *, user: User, pending: bool, actor: Any, request: HttpRequest | None = None
) -> User:
    """Mark an account "to migrate" (its password lives in a legacy store, checked once by
    an OnPasswordSubmit extension) or clear the mark, audited."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.password_migration_pending
        locked.password_migration_pending = bool(pending)
        locked.save(update_fields=["password_migration_pending", "updated_at"])
        audit.record(
            action="user.password_migration",
            actor=actor,
            request=request,
            target=locked,
            before={"password_migration_pending": before},
            after={"password_migration_pending": locked.password_migration_pending},
        )
    return locked


def complete_password_migration(user: User, password: str) -> User:
    """The legacy store accepted `password` (OnPasswordSubmit): store our own hash of it
    and clear the mark, so the extension is never called again for this account. The
    password policy is not applied: it is the customer's existing password."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.password_migration_pending:
            return locked
        locked.set_password(password)
        locked.password_migration_pending = False
        locked.save(update_fields=["password", "password_migration_pending", "updated_at"])
        Identity.objects.get_or_create(
            user=locked,
            type=Identity.Type.PASSWORD,
            issuer=LOCAL_ISSUER,
            subject=locked.email or str(locked.pk),
        )
        audit.record(
            action="user.password_migrated",
            actor="custom authentication extension",
            target=locked,
            after={"password_migration_pending": False},
        )
    return locked
