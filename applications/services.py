"""App registrations, client secrets, API permissions and signing keys: the business logic
behind the admin center pages, the management command and the OAuth endpoints."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from directory import audit
from directory import services as directory_services
from directory.roles import API_PERMISSION_BY_NAME

from . import keys
from .credentials import (  # noqa: F401  (re-exported: the services API of this app)
    JWT_BEARER_ASSERTION,
    add_client_secret,
    client_id_of_assertion,
    ensure_may_manage_credentials,
    parse_public_keys,
    revoke_client_secret,
    verify_client_assertion,
)
from .models import (
    AccessToken,
    ApiPermission,
    Application,
    AppRoleAssignment,
    AppType,
    Consent,
    Grant,
    RefreshToken,
    SigningAlgorithm,
    SigningKey,
)

APP_TYPES = {
    AppType.WEB: (Application.CLIENT_CONFIDENTIAL, Application.GRANT_AUTHORIZATION_CODE),
    AppType.SPA: (Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE),
    AppType.NATIVE: (Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE),
    AppType.DAEMON: (Application.CLIENT_CONFIDENTIAL, Application.GRANT_CLIENT_CREDENTIALS),
    AppType.API: (Application.CLIENT_CONFIDENTIAL, Application.GRANT_CLIENT_CREDENTIALS),
}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
APP_FIELDS = [
    "name",
    "client_id",
    "app_type",
    "client_type",
    "redirect_uris",
    "post_logout_redirect_uris",
    "skip_authorization",
    "algorithm",
    "access_token_lifetime",
    "id_token_lifetime",
    "refresh_token_lifetime",
    "token_claims",
    "include_groups",
    "extension_claims",
    "identifier_uri",
    "exposed_scopes",
    "app_roles",
    "jwks_uri",
    "is_enabled",
    "backchannel_logout_uri",
    "frontchannel_logout_uri",
    "require_pushed_authorization_requests",
    "native_auth_enabled",
]


# -- redirect URIs ----------------------------------------------------------------------------
def validate_redirect_uri(uri: str, app_type: str) -> str:
    """One redirect URI: exact, absolute, no fragment, no wildcard; https unless loopback;
    native apps may also use a private-use (custom) scheme."""
    uri = uri.strip()
    if not uri:
        raise ValidationError("Enter a redirect URI.")
    if "*" in uri:
        raise ValidationError(f"{uri}: wildcards are not allowed.")
    if "#" in uri:
        raise ValidationError(f"{uri}: a redirect URI must not have a fragment.")
    if any(c.isspace() for c in uri):
        raise ValidationError(f"{uri}: spaces are not allowed.")
    parts = urlsplit(uri)
    if not parts.scheme:
        raise ValidationError(f"{uri}: use an absolute URI.")
    if parts.scheme in {"http", "https"}:
        if not parts.hostname:
            raise ValidationError(f"{uri}: the URI has no host.")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise ValidationError(f"{uri}: use https (http is only allowed for loopback).")
        return uri
    if app_type == AppType.NATIVE and parts.scheme not in {"javascript", "data", "file"}:
        return uri
    raise ValidationError(f"{uri}: use an https URI.")


def validate_redirect_uris(uris: list[str], app_type: str) -> list[str]:
    if app_type in {AppType.DAEMON, AppType.API} and any(u.strip() for u in uris):
        raise ValidationError("Daemon apps and web APIs have no redirect URIs.")
    errors, clean = [], []
    for uri in uris:
        if not uri.strip():
            continue
        try:
            clean.append(validate_redirect_uri(uri, app_type))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(clean))


def spa_origins(uris: list[str], app_type: str) -> str:
    """A single-page app redeems codes from the browser: its redirect URIs' origins may
    call the token endpoint cross-origin (CORS)."""
    if app_type != AppType.SPA:
        return ""
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in uris}
    return " ".join(sorted(origins))


UPDATABLE_FIELDS = frozenset(
    {
        "name",
        "redirect_uris",
        "post_logout_redirect_uris",
        "skip_authorization",
        "algorithm",
        "access_token_lifetime",
        "id_token_lifetime",
        "refresh_token_lifetime",
        "token_claims",
        "include_groups",
        "identifier_uri",
        "exposed_scopes",
        "app_roles",
        "jwks_uri",
        "jwks",
        "is_enabled",
        "description",
        "backchannel_logout_uri",
        "frontchannel_logout_uri",
        "require_pushed_authorization_requests",
        "extension_claims",
        "native_auth_enabled",
    }
)


def _field_errors(field: str, validate: Any, changes: dict[str, Any], app_type: str) -> list[str]:
    try:
        return validate(list(changes[field]), app_type)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


# -- app registrations ------------------------------------------------------------------------
def register_application(
    *,
    name: str,
    app_type: str,
    redirect_uris: list[str],
    actor: Any,
    request: HttpRequest | None = None,
    post_logout_redirect_uris: list[str] | None = None,
    first_party: bool = True,
    algorithm: str = SigningAlgorithm.RS256,
    description: str = "",
) -> tuple[Application, str | None]:
    """Register an app; returns it and its first client secret (shown once) when the app
    type has one (web, daemon, api). Raises ValidationError for bad input."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name."})
    if app_type not in APP_TYPES:
        raise ValidationError({"app_type": f"Unknown app type {app_type!r}."})
    client_type, grant = APP_TYPES[AppType(app_type)]
    uris = _field_errors(
        "redirect_uris", validate_redirect_uris, {"redirect_uris": redirect_uris}, app_type
    )
    logout_uris = _field_errors(
        "post_logout_redirect_uris",
        validate_redirect_uris,
        {"post_logout_redirect_uris": post_logout_redirect_uris or []},
        app_type,
    )
    if app_type in {AppType.WEB, AppType.SPA, AppType.NATIVE} and not uris:
        raise ValidationError({"redirect_uris": "Add at least one redirect URI."})
    with transaction.atomic():
        app = Application(
            name=name,
            app_type=app_type,
            client_type=client_type,
            authorization_grant_type=grant,
            redirect_uris=" ".join(uris),
            post_logout_redirect_uris=" ".join(logout_uris),
            algorithm=algorithm,
            skip_authorization=first_party,
            allowed_origins=spa_origins(uris, app_type),
            description=description,
            client_secret="",
            hash_client_secret=False,
        )
        app.save()
        audit.record(
            action="application.create",
            actor=actor,
            request=request,
            target=app,
            after=audit.snapshot(app, APP_FIELDS),
        )
        secret = None
        if client_type == Application.CLIENT_CONFIDENTIAL:
            _row, secret = add_client_secret(
                app, description="Initial secret", actor=actor, request=request
            )
    return app, secret


def validate_logout_uri(uri: str, field: str) -> str:
    """A back- or front-channel logout URI: absolute https (http on loopback), no
    fragment (OIDC Back-Channel Logout §2.2, Front-Channel Logout §2)."""
    uri = uri.strip()
    parts = urlsplit(uri)
    loopback = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme not in {"https", "http"} or (parts.scheme == "http" and not loopback):
        raise ValidationError({field: "Use an https URL (http only on localhost)."})
    if not parts.hostname or parts.fragment or "#" in uri:
        raise ValidationError({field: "Use an absolute URL without a fragment."})
    return uri


def update_application(
    app: Application, *, actor: Any, request: HttpRequest | None = None, **changes: Any
) -> Application:
    """Change fields of an app registration, audited. The one place that writes them:
    admin pages and the management API call it, so every change is validated alike
    (redirect URIs for the app type, SPA origins derived from them, lifetimes; adding
    a credential to an app that holds management API permissions takes an actor who may
    grant them). Raises ValidationError keyed by field, or PermissionDenied."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError({f: "This field cannot be changed." for f in sorted(unknown)})
    before = audit.snapshot(app, APP_FIELDS)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"] or len(changes["name"]) > 255:
            raise ValidationError({"name": "Enter a name of at most 255 characters."})
    if "redirect_uris" in changes:
        uris = _field_errors("redirect_uris", validate_redirect_uris, changes, app.app_type)
        if app.app_type in {AppType.WEB, AppType.SPA, AppType.NATIVE} and not uris:
            raise ValidationError({"redirect_uris": "Add at least one redirect URI."})
        changes["redirect_uris"] = " ".join(uris)
        changes["allowed_origins"] = spa_origins(uris, app.app_type)
    if "post_logout_redirect_uris" in changes:
        changes["post_logout_redirect_uris"] = " ".join(
            _field_errors(
                "post_logout_redirect_uris", validate_redirect_uris, changes, app.app_type
            )
        )
    if any(
        field in changes and changes[field] != getattr(app, field) for field in ("jwks", "jwks_uri")
    ):
        ensure_may_manage_credentials(app, actor=actor)
    for field in ("backchannel_logout_uri", "frontchannel_logout_uri"):
        if changes.get(field):
            changes[field] = validate_logout_uri(str(changes[field]), field)
    if changes.get("native_auth_enabled") and app.client_type != Application.CLIENT_PUBLIC:
        raise ValidationError(
            {"native_auth_enabled": "Only public clients (native, SPA) can use it."}
        )
    for lifetime in ("access_token_lifetime", "id_token_lifetime"):
        if lifetime in changes and not 300 <= int(changes[lifetime]) <= 86400:
            raise ValidationError({lifetime: "Use 5 minutes to 1 day (300 to 86400 seconds)."})
    with transaction.atomic():
        for field, value in changes.items():
            setattr(app, field, value)
        app.save()
        audit.record(
            action="application.update",
            actor=actor,
            request=request,
            target=app,
            before=before,
            after=audit.snapshot(app, APP_FIELDS),
        )
    return app


def delete_application(app: Application, *, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record(
            action="application.delete",
            actor=actor,
            request=request,
            target=app,
            before=audit.snapshot(app, APP_FIELDS),
        )
        app.delete()


# -- API permissions ---------------------------------------------------------------------------
def grant_api_permission(
    client: Application,
    *,
    value: str,
    kind: str = ApiPermission.Kind.APPLICATION,
    resource: Application | None = None,
    actor: Any,
    request: HttpRequest | None = None,
) -> ApiPermission:
    """Grant (with admin consent) a permission of a tenant API or of the built-in
    management API (`resource=None`) to `client`, audited with the actor.

    A management API permission goes to daemon apps only, and only from an actor the
    catalogue lets grant it (directory.roles: a Global Administrator, or a trusted script);
    an app never grants anything, so no token can widen its own or another app's
    permissions. Raises ValidationError for bad input, PermissionDenied for the actor."""
    if resource is None:
        if value not in API_PERMISSION_BY_NAME or kind != ApiPermission.Kind.APPLICATION:
            raise ValidationError({"value": f"{value!r} is not a management API permission."})
        if client.authorization_grant_type != Application.GRANT_CLIENT_CREDENTIALS:
            raise ValidationError(
                {"value": "Only daemon apps (client credentials) hold management API permissions."}
            )
        directory_services.ensure_may_grant_api_permission(actor, value)
    else:
        exposed = (
            resource.app_roles
            if kind == ApiPermission.Kind.APPLICATION
            else resource.exposed_scopes
        )
        if value not in {item["value"] for item in exposed or []}:
            raise ValidationError({"value": f"{resource.name} does not expose {value!r}."})
        directory_services.ensure_may_manage_app_permissions(actor)
    if (
        kind == ApiPermission.Kind.APPLICATION
        and client.client_type != Application.CLIENT_CONFIDENTIAL
    ):
        raise ValidationError(
            {"value": "Only confidential clients can hold application permissions."}
        )
    with transaction.atomic():
        perm, _created = ApiPermission.objects.update_or_create(
            client=client,
            resource=resource,
            kind=kind,
            value=value,
            defaults={"admin_consented": True},
        )
        audit.record(
            action="application.permission.grant",
            actor=actor,
            request=request,
            target=client,
            after={
                "value": value,
                "kind": kind,
                "resource": resource.client_id if resource else "management",
            },
        )
    return perm


def revoke_api_permission(
    perm: ApiPermission, *, actor: Any, request: HttpRequest | None = None
) -> None:
    """Remove a granted permission, audited; the same actors as for granting it."""
    if perm.resource_id is None:
        directory_services.ensure_may_grant_api_permission(actor, perm.value)
    else:
        directory_services.ensure_may_manage_app_permissions(actor)
    with transaction.atomic():
        audit.record(
            action="application.permission.revoke",
            actor=actor,
            request=request,
            target=perm.client,
            before={
                "value": perm.value,
                "kind": perm.kind,
                "resource": perm.resource.client_id if perm.resource else "management",
            },
        )
        perm.delete()


# -- app role assignments ------------------------------------------------------------------
def assign_app_role(
    app: Application, *, user: Any, value: str, actor: Any, request: HttpRequest | None = None
) -> AppRoleAssignment:
    """Assign `user` to the app role `value` of `app` (it appears in the user's `roles`)."""
    if value not in {role["value"] for role in app.app_roles or []}:
        raise ValidationError({"value": f"{app.name} has no app role {value!r}."})
    with transaction.atomic():
        assignment, _created = AppRoleAssignment.objects.get_or_create(
            application=app, user=user, value=value
        )
        audit.record(
            action="application.role.assign",
            actor=actor,
            request=request,
            target=app,
            after={"user": str(user.pk), "email": user.email, "role": value},
        )
    return assignment


def remove_app_role_assignment(
    assignment: AppRoleAssignment, *, actor: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit.record(
            action="application.role.unassign",
            actor=actor,
            request=request,
            target=assignment.application,
            before={"user": str(assignment.user_id), "role": assignment.value},
        )
        assignment.delete()


def user_roles(app: Application | None, user: Any, known: dict | None = None) -> list[str]:
    """The app roles assigned to `user` on `app`; `known` maps app pk -> roles already
    read in this request (the refresh grant reads them with the token, one query)."""
    if app is None or user is None:
        return []
    if known is not None and app.pk in known:
        return list(known[app.pk])
    return sorted(
        AppRoleAssignment.objects.filter(application=app, user=user).values_list("value", flat=True)
    )


# -- user consent ------------------------------------------------------------------------------
def record_consent(user: Any, app: Application, scopes: list[str]) -> Consent:
    """Remember that `user` consented to `scopes` for `app` (added to earlier consent)."""
    with transaction.atomic():
        consent, _ = Consent.objects.select_for_update().get_or_create(user=user, application=app)
        consent.scope = " ".join(sorted(consent.scopes | set(scopes)))
        consent.save(update_fields=["scope", "updated_at"])
    return consent


def consent_covers(user: Any, app: Application, scopes: list[str]) -> bool:
    """Did `user` consent to every one of `scopes` for `app`?"""
    if user is None or not getattr(user, "pk", None):
        return False
    consent = Consent.objects.filter(user=user, application=app).first()
    return consent is not None and set(scopes) <= consent.scopes


# -- tokens ------------------------------------------------------------------------------------
def revoke_tokens_of_grant(grant: Grant) -> None:
    """A replayed authorization code: revoke everything it produced."""
    if grant.issued_token_family:
        RefreshToken.revoke_family(grant.issued_token_family)
    if grant.issued_access_token_checksum:
        AccessToken.objects.filter(token_checksum=grant.issued_access_token_checksum).delete()


def auth_time_of(user: Any):
    return getattr(user, "last_login", None) or timezone.now()


def session_id(request: HttpRequest) -> str:
    key = request.session.session_key or ""
    return hashlib.sha256(key.encode()).hexdigest()[:32] if key else ""


# -- signing keys ------------------------------------------------------------------------------
def initialize_tenant_keys(tenant: Any) -> None:
    """Tenant initializer: an active and a next EC P-256 key (about 0.1 ms each). The RSA
    pair (about 100 ms per key) is made by a Celery task once the tenant is committed, so
    tenant creation stays fast; if a request needs it first (or Celery runs eagerly, as
    in tests and `dev.py`), it is made then (keys.ensure_active_key)."""
    keys.create_key(SigningAlgorithm.ES256, status=SigningKey.Status.ACTIVE)
    keys.create_key(SigningAlgorithm.ES256, status=SigningKey.Status.NEXT)
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return  # an eager task would run inside tenant creation: the lazy path covers it
    schema = getattr(connection, "schema_name", "")
    transaction.on_commit(lambda: _send_rsa_key_task(schema))


def _send_rsa_key_task(schema: str) -> None:
    from django_tenants.utils import schema_context

    from .tasks import ensure_rsa_key_task

    with schema_context(schema):
        ensure_rsa_key_task.delay()


def rotate_signing_key(
    algorithm: str, *, actor: Any, request: HttpRequest | None = None
) -> SigningKey:
    """Rotate now: the published next key starts signing, the old one stays published."""
    if algorithm not in SigningAlgorithm.values:
        raise ValidationError(f"Unknown algorithm {algorithm!r}.")
    with transaction.atomic():
        active = keys.rotate(algorithm)
        audit.record(
            action="signing_key.rotate",
            actor=actor,
            request=request,
            target=active,
            after={"algorithm": algorithm, "kid": active.kid},
        )
    return active
