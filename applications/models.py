"""App registrations and OAuth 2.0 / OpenID Connect state, per tenant.

django-oauth-toolkit's models are swapped in here from the first migration; this module
extends them with what the identity server needs (app types, per-app token settings,
client secrets stored as keyed hashes, API permissions and the tenant's signing keys).
Every table lives in the tenant's own schema, so tokens, codes and keys never cross
tenants."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    AbstractGrant,
    AbstractIDToken,
    AbstractRefreshToken,
)


class AppType(models.TextChoices):
    WEB = "web", "Web app"
    SPA = "spa", "Single-page app"
    NATIVE = "native", "Mobile / desktop app"
    DAEMON = "daemon", "Daemon (client credentials)"
    API = "api", "Web API"


class SigningAlgorithm(models.TextChoices):
    RS256 = "RS256", "RSA with SHA-256"
    ES256 = "ES256", "ECDSA P-256 with SHA-256"


DEFAULT_TOKEN_CLAIMS = ["name", "given_name", "family_name", "email", "email_verified"]


class Application(AbstractApplication):
    """An app registration."""

    algorithm: models.CharField = models.CharField(
        max_length=5, choices=SigningAlgorithm.choices, default=SigningAlgorithm.RS256
    )
    app_type: models.CharField = models.CharField(
        max_length=10, choices=AppType.choices, default=AppType.WEB
    )
    description: models.TextField = models.TextField(blank=True, default="")
    access_token_lifetime: models.PositiveIntegerField = models.PositiveIntegerField(default=3600)
    id_token_lifetime: models.PositiveIntegerField = models.PositiveIntegerField(default=3600)
    refresh_token_lifetime: models.PositiveIntegerField = models.PositiveIntegerField(
        default=14 * 24 * 3600
    )
    # Optional claims of the user's profile put in ID tokens (and userinfo).
    token_claims = models.JSONField(default=list, blank=True)
    include_groups: models.BooleanField = models.BooleanField(default=False)
    # Claims mapping: names of claims that custom authentication extensions
    # (OnTokenIssuanceStart) may add to this app's ID and access tokens.
    extension_claims = models.JSONField(default=list, blank=True)
    # For web APIs: the scopes (delegated permissions) and app roles it exposes.
    identifier_uri: models.CharField = models.CharField(max_length=255, blank=True, default="")
    exposed_scopes = models.JSONField(default=list, blank=True)
    app_roles = models.JSONField(default=list, blank=True)
    # private_key_jwt client authentication (RFC 7523): an uploaded JWKS or a JWKS URL.
    jwks = models.JSONField(default=dict, blank=True)
    jwks_uri: models.URLField = models.URLField(blank=True, default="")
    is_enabled: models.BooleanField = models.BooleanField(default=True)
    # OpenID Connect Back-Channel / Front-Channel Logout 1.0 (applications.logout)
    backchannel_logout_uri: models.URLField = models.URLField(blank=True, default="")
    frontchannel_logout_uri: models.URLField = models.URLField(blank=True, default="")
    # RFC 9126: only pushed authorization requests are accepted at /authorize
    require_pushed_authorization_requests: models.BooleanField = models.BooleanField(default=False)
    # Public clients (native, SPA) an admin allowed to use the native authentication API
    # (their own sign-in screens instead of the browser).
    native_auth_enabled: models.BooleanField = models.BooleanField(default=False)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def clean(self) -> None:
        # DOT's clean() insists on its global OIDC_RSA_PRIVATE_KEY for RS256; our keys are
        # the tenant's own rows and redirect URIs are checked in services.
        return None

    def is_usable(self, request) -> bool:
        return self.is_enabled

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()

    def redirect_uri_allowed(self, uri: str) -> bool:
        """Exact match; a native app's loopback IP redirect may use any port (RFC 8252)."""
        return _uri_matches(uri, self.redirect_uris.split(), self.app_type == AppType.NATIVE)

    def post_logout_redirect_uri_allowed(self, uri: str) -> bool:
        return _uri_matches(uri, self.post_logout_redirect_uris.split(), False)

    def get_allowed_schemes(self) -> list[str]:
        uris = self.redirect_uris.split() + self.post_logout_redirect_uris.split()
        return sorted({"http", "https"} | {urlsplit(u).scheme for u in uris if ":" in u})


def _uri_matches(uri: str, allowed: list[str], loopback_any_port: bool) -> bool:
    if uri in allowed:
        return True
    if not loopback_any_port:
        return False
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "::1"}:
        return False
    for candidate in allowed:
        c = urlsplit(candidate)
        if (c.scheme, c.hostname, c.path, c.query) == (
            "http",
            parts.hostname,
            parts.path,
            parts.query,
        ):
            return True
    return False


class Grant(AbstractGrant):
    # A code is kept (not deleted) once used, so a replay can revoke what it produced.
    used_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    issued_token_family: models.UUIDField = models.UUIDField(null=True, blank=True)
    issued_access_token_checksum: models.CharField = models.CharField(
        max_length=64, blank=True, default=""
    )
    auth_time: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    session_id: models.CharField = models.CharField(max_length=64, blank=True, default="")

    class Meta(AbstractGrant.Meta):
        swappable = "OAUTH2_PROVIDER_GRANT_MODEL"


class IDToken(AbstractIDToken):
    class Meta(AbstractIDToken.Meta):
        swappable = "OAUTH2_PROVIDER_ID_TOKEN_MODEL"


class AccessToken(AbstractAccessToken):
    class Meta(AbstractAccessToken.Meta):
        swappable = "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL"


class RefreshToken(AbstractRefreshToken):
    class Meta(AbstractRefreshToken.Meta):
        swappable = "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL"


class ClientSecret(models.Model):
    """One client secret of an app: only its keyed hash is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="secrets")
    description = models.CharField(max_length=200, blank=True, default="")
    secret_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.description or 'secret'})"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiPermission(models.Model):
    """A permission granted to a client app: a scope (delegated) or an app role
    (application permission) of a web API of the tenant or of the built-in management
    API (`resource` is null for it)."""

    class Kind(models.TextChoices):
        DELEGATED = "delegated", "Delegated (scope)"
        APPLICATION = "application", "Application (app role)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="permissions")
    resource = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="granted_to"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    value = models.CharField(max_length=120)
    admin_consented = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "resource", "kind", "value"], name="uniq_api_permission"
            ),
            models.UniqueConstraint(
                fields=["client", "kind", "value"],
                condition=models.Q(resource__isnull=True),
                name="uniq_builtin_api_permission",
            ),
        ]

    def __str__(self) -> str:
        return self.value


class SigningKey(models.Model):
    """A signing key of the tenant. The private part is encrypted with CIAM_MASTER_KEY.

    Life cycle: `next` keys are published in the JWKS but sign nothing; one `active` key
    per algorithm signs; `retired` keys stay published until `retire_after` (when every
    token they signed has expired), then they are removed."""

    class Status(models.TextChoices):
        NEXT = "next", "Next"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=5, choices=SigningAlgorithm.choices)
    status = models.CharField(max_length=8, choices=Status.choices)
    public_jwk = models.JSONField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retire_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["algorithm", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=models.Q(status="active"),
                name="one_active_key_per_algorithm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid} ({self.status})"


class AppRoleAssignment(models.Model):
    """A user assigned to an app role of an app registration; emitted in the `roles` claim
    of the user's tokens for that app."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="role_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_role_assignments"
    )
    value = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["value", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user", "value"], name="uniq_app_role_assignment"
            )
        ]

    def __str__(self) -> str:
        return self.value


class Consent(models.Model):
    """The scopes a user consented to for an app: remembered until the user (account
    pages) or an admin withdraws them, whatever happens to the app's tokens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_consents"
    )
    scope = models.TextField(default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="uniq_consent")]

    def __str__(self) -> str:
        return self.scope

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())
