"""Custom authentication extensions: REST APIs of the tenant that the platform calls at
fixed points of a journey (Entra External ID's custom authentication extensions), and the
log of those calls. Both live in the tenant's schema."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

MAX_EXTENSIONS_PER_TENANT = 100  # as Entra
MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS = 200, 2000, 1000  # as Entra


class Event(models.TextChoices):
    TOKEN_ISSUANCE_START = "OnTokenIssuanceStart", "OnTokenIssuanceStart"
    ATTRIBUTE_COLLECTION_START = "OnAttributeCollectionStart", "OnAttributeCollectionStart"
    ATTRIBUTE_COLLECTION_SUBMIT = "OnAttributeCollectionSubmit", "OnAttributeCollectionSubmit"
    OTP_SEND = "OnOtpSend", "OnOtpSend"
    PASSWORD_SUBMIT = "OnPasswordSubmit", "OnPasswordSubmit"


class CustomAuthenticationExtension(models.Model):
    """One registered REST API. `events`, `user_flows` and `applications` say where it
    fires (an empty list of flows or apps means every flow or app); `allowed_claims` are
    the claims an OnTokenIssuanceStart answer may set (a claim also needs the app's claims
    mapping to reach a token)."""

    class OnFailure(models.TextChoices):
        FAIL = "fail", "Fail the step (the customer sees an error)"
        CONTINUE = "continue", "Continue without the extension's changes"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    target_url = models.URLField(max_length=500)
    # The `aud` of the bearer token each call carries (Entra: the extension's identifier
    # URI, api://{host}/{appId}).
    app_id_uri = models.CharField(max_length=255)
    events = models.JSONField(default=list)
    user_flows = models.JSONField(default=list, blank=True)  # UserFlow ids (str)
    applications = models.JSONField(default=list, blank=True)  # client ids
    # OnTokenIssuanceStart for client-credentials (app-only) tokens too.
    include_app_only_tokens = models.BooleanField(default=False)
    timeout_ms = models.PositiveIntegerField(
        default=DEFAULT_TIMEOUT_MS,
        validators=[MinValueValidator(MIN_TIMEOUT_MS), MaxValueValidator(MAX_TIMEOUT_MS)],
    )
    max_retries = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(1)]
    )  # retried only when the connection fails
    allowed_claims = models.JSONField(default=list, blank=True)
    on_failure = models.CharField(max_length=10, choices=OnFailure.choices, default="fail")
    is_enabled = models.BooleanField(default=True)
    # OnPasswordSubmit: the public key (JWK JSON or PEM) the password is encrypted to.
    encryption_public_key = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(timeout_ms__gte=MIN_TIMEOUT_MS)
                & models.Q(timeout_ms__lte=MAX_TIMEOUT_MS),
                name="extensions_timeout_range",
            ),
            models.CheckConstraint(
                condition=models.Q(max_retries__lte=1), name="extensions_retries_0_or_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallLog(models.Model):
    """One call (or one skip by the open circuit breaker) of an extension."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        SKIPPED = "skipped", "Skipped (circuit breaker open)"

    id = models.BigAutoField(primary_key=True)
    # No database constraint: rows are written after the response (extensions.client), so
    # one may race the extension's deletion; such an orphan is purged with the old rows.
    extension = models.ForeignKey(
        CustomAuthenticationExtension,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="calls",
    )
    # The time of the call (rows may be written a moment later, see extensions.client).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    correlation_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    is_test = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["extension", "-created_at"])]
