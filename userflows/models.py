"""User flows: which sign-in methods, identity providers, sign-up attributes and MFA
policy apply to the apps that use them. Everything here lives in the tenant's schema."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class IdentityProvider(models.Model):
    """A federation partner configured by the tenant (Google, Facebook, any OIDC issuer).

    The matching allauth `SocialApp` row is kept in sync by `services.save_identity_provider`;
    the client secret is stored here encrypted and handed to allauth only in memory."""

    class Kind(models.TextChoices):
        GOOGLE = "google", "Google"
        FACEBOOK = "facebook", "Facebook"
        OIDC = "openid_connect", "OpenID Connect"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For OIDC providers: the allauth sub-provider id (used in callback URLs).
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    issuer = models.URLField(max_length=500, blank=True)
    scopes = models.CharField(max_length=255, blank=True, default="openid email profile")
    # Claim name in the provider's userinfo -> our attribute name (email, given_name, ...).
    claim_mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserFlow(models.Model):
    """A sign-up / sign-in experience. Apps link to at most one flow."""

    class MFAPolicy(models.TextChoices):
        OFF = "off", "Off"
        ALWAYS = "always", "Always"
        RISKY = "risky", "Only for risky sign-ins"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    password_enabled = models.BooleanField(default=True, help_text="Email with password")
    email_code_enabled = models.BooleanField(
        default=True, help_text="Email one-time passcode (no password)"
    )
    signup_enabled = models.BooleanField(default=True)
    mfa_policy = models.CharField(max_length=10, choices=MFAPolicy.choices, default="off")
    identity_providers = models.ManyToManyField(IdentityProvider, blank=True, related_name="flows")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="userflow_single_default",
            ),
            models.CheckConstraint(
                condition=models.Q(password_enabled=True) | models.Q(email_code_enabled=True),
                name="userflow_has_signin_method",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FlowAttribute(models.Model):
    """One attribute collected at sign-up, in order. `attribute` names a built-in profile
    field of the User or a CustomAttribute."""

    class InputType(models.TextChoices):
        TEXT = "text", "Text box"
        RADIO = "radio", "Radio buttons"
        CHECKBOXES = "checkboxes", "Multi-select checkboxes"
        CHECKBOX = "checkbox", "Single checkbox"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.ForeignKey(UserFlow, on_delete=models.CASCADE, related_name="attributes")
    attribute = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    input_type = models.CharField(max_length=12, choices=InputType.choices, default="text")
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    # A single checkbox (consent) may link to the terms of use or privacy policy.
    link_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["order", "attribute"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "attribute"], name="flowattribute_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flow}: {self.attribute}"


class UserFlowApplication(models.Model):
    """The link app -> user flow; an app uses at most one flow."""

    flow = models.ForeignKey(UserFlow, on_delete=models.CASCADE, related_name="app_links")
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="userflow_link",
    )
    created_at = models.DateTimeField(auto_now_add=True)


class PasswordPolicy(models.Model):
    """The tenant's password policy: a single row in its schema."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    min_length = models.PositiveSmallIntegerField(default=8)
    reject_common = models.BooleanField(default=True)
    # A customer who signs in with a password now found in a breach must change it.
    change_breached_at_signin = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="password_policy_singleton"),
            models.CheckConstraint(
                condition=models.Q(min_length__gte=8, min_length__lte=128),
                name="password_policy_length_range",
            ),
        ]


class NativeAuthSettings(models.Model):
    """The tenant's native authentication API settings: a single row in its schema.

    user_not_found_enabled: an unknown email gets `user_not_found` from the native API
    (what MSAL apps use to offer "sign up instead"). It tells anyone who asks whether an
    email has an account here, so it is off by default; off, an unknown email proceeds to
    a challenge that cannot succeed, as the pages do."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    user_not_found_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="native_auth_settings_singleton"),
        ]
