"""Custom authentication extensions: register, update, enable/disable, delete (each
audited in the same transaction), test with a sample event, and purge the call log."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from jwcrypto import jwk

from ciam import outbound
from directory import audit

from . import client, samples
from .config import spec_of
from .contracts import RESERVED_CLAIMS
from .models import (
    MAX_EXTENSIONS_PER_TENANT,
    MAX_TIMEOUT_MS,
    MIN_TIMEOUT_MS,
    CallLog,
    CustomAuthenticationExtension,
    Event,
)

FIELDS = [
    "name",
    "description",
    "target_url",
    "app_id_uri",
    "events",
    "user_flows",
    "applications",
    "include_app_only_tokens",
    "timeout_ms",
    "max_retries",
    "allowed_claims",
    "on_failure",
    "is_enabled",
    "encryption_public_key",
]


def default_app_id_uri(target_url: str, extension_id: uuid.UUID) -> str:
    """Entra's form: api://{host of the target URL}/{id}."""
    host = urlsplit(target_url).hostname or "localhost"
    return f"api://{host}/{extension_id}"


def load_public_key(text: str) -> jwk.JWK:
    """An RSA public key from a JWK (JSON) or PEM; ValidationError otherwise."""
    text = (text or "").strip()
    try:
        key = jwk.JWK.from_json(text) if text.startswith("{") else jwk.JWK.from_pem(text.encode())
    except Exception as exc:  # jwcrypto raises several unrelated types for bad input
        raise ValidationError({"encryption_public_key": "Not a valid JWK or PEM key."}) from exc
    if key.get("kty") != "RSA":
        raise ValidationError({"encryption_public_key": "The key must be an RSA key."})
    if key.has_private:
        raise ValidationError(
            {"encryption_public_key": "Upload the public key only, never the private key."}
        )
    return key


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data = dict(values)
    if "name" in data:
        data["name"] = str(data["name"] or "").strip()
        if not data["name"] or len(data["name"]) > 100:
            errors["name"] = "Enter a name of at most 100 characters."
    if "target_url" in data:
        url = str(data["target_url"] or "").strip()
        data["target_url"] = url
        try:
            outbound.check_url(url)
        except outbound.OutboundError as exc:
            errors["target_url"] = f"This URL may not be called: {exc}"
    if "app_id_uri" in data:
        data["app_id_uri"] = str(data["app_id_uri"] or "").strip()
        if len(data["app_id_uri"]) > 255:
            errors["app_id_uri"] = "At most 255 characters."
    if "events" in data:
        events = list(dict.fromkeys(data["events"] or []))
        unknown = [e for e in events if e not in Event.values]
        if not events or unknown:
            errors["events"] = "Choose at least one of the supported events."
        data["events"] = events
    if "timeout_ms" in data:
        try:
            data["timeout_ms"] = int(data["timeout_ms"])
        except (TypeError, ValueError):
            data["timeout_ms"] = -1
        if not MIN_TIMEOUT_MS <= data["timeout_ms"] <= MAX_TIMEOUT_MS:
            errors["timeout_ms"] = f"Between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS} ms."
    if "max_retries" in data:
        if data["max_retries"] not in (0, 1, "0", "1"):
            errors["max_retries"] = "0 or 1."
        else:
            data["max_retries"] = int(data["max_retries"])
    for name in ("user_flows", "applications", "allowed_claims"):
        if name in data:
            items = data[name] or []
            if isinstance(items, str):
                items = items.replace(",", " ").split()
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                errors[name] = "A list of names."
            else:
                data[name] = list(dict.fromkeys(i.strip() for i in items if i.strip()))
    reserved = sorted(set(data.get("allowed_claims") or []) & RESERVED_CLAIMS)
    if reserved:
        errors["allowed_claims"] = f"Reserved claims cannot be set: {', '.join(reserved)}."
    if "on_failure" in data and data["on_failure"] not in CustomAuthenticationExtension.OnFailure:
        errors["on_failure"] = "fail or continue."
    if data.get("encryption_public_key"):
        try:
            load_public_key(data["encryption_public_key"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return data


def _check_password_key(ext: CustomAuthenticationExtension) -> None:
    if Event.PASSWORD_SUBMIT in ext.events and not ext.encryption_public_key:
        raise ValidationError(
            {"encryption_public_key": "OnPasswordSubmit needs the API's public key."}
        )


def create_extension(
    *, actor: Any, request: HttpRequest | None = None, **values: Any
) -> CustomAuthenticationExtension:
    """Register an extension (at most 100 per tenant). The app ID URI defaults to
    api://{host of the target URL}/{id}, as Entra's."""
    values.setdefault("events", [])
    data = _clean(values)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        # Serialise creations so two concurrent ones cannot both pass the limit.
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE extensions_customauthenticationextension IN EXCLUSIVE MODE")
        if CustomAuthenticationExtension.objects.count() >= MAX_EXTENSIONS_PER_TENANT:
            raise ValidationError(
                f"A tenant may have at most {MAX_EXTENSIONS_PER_TENANT} extensions."
            )
        if CustomAuthenticationExtension.objects.filter(name=data["name"]).exists():
            raise ValidationError({"name": "An extension with this name exists."})
        ext = CustomAuthenticationExtension(id=uuid.uuid4(), **data)
        if not ext.app_id_uri:
            ext.app_id_uri = default_app_id_uri(ext.target_url, ext.id)
        _check_password_key(ext)
        ext.full_clean()
        ext.save()
        audit.record(
            action="extension.create",
            actor=actor,
            request=request,
            target=ext,
            after=audit.snapshot(ext, FIELDS),
        )
    return ext


def update_extension(
    ext: CustomAuthenticationExtension,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    **changes: Any,
) -> CustomAuthenticationExtension:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    data = _clean(changes)
    with transaction.atomic():
        ext = CustomAuthenticationExtension.objects.select_for_update().get(pk=ext.pk)
        if (
            "name" in data
            and CustomAuthenticationExtension.objects.filter(name=data["name"])
            .exclude(pk=ext.pk)
            .exists()
        ):
            raise ValidationError({"name": "An extension with this name exists."})
        before = audit.snapshot(ext, FIELDS)
        for field, value in data.items():
            setattr(ext, field, value)
        if not ext.app_id_uri:
            ext.app_id_uri = default_app_id_uri(ext.target_url, ext.id)
        _check_password_key(ext)
        ext.full_clean()
        ext.save()
        audit.record(
            action="extension.update",
            actor=actor,
            request=request,
            target=ext,
            before=before,
            after=audit.snapshot(ext, FIELDS),
        )
    return ext


def set_enabled(
    ext: CustomAuthenticationExtension,
    enabled: bool,
    *,
    actor: Any,
    request: HttpRequest | None = None,
) -> CustomAuthenticationExtension:
    with transaction.atomic():
        ext = CustomAuthenticationExtension.objects.select_for_update().get(pk=ext.pk)
        ext.is_enabled = enabled
        ext.save(update_fields=["is_enabled", "updated_at"])
        audit.record(
            action="extension.enable" if enabled else "extension.disable",
            actor=actor,
            request=request,
            target=ext,
            after={"is_enabled": enabled},
        )
    return ext


def delete_extension(
    ext: CustomAuthenticationExtension, *, actor: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit.record(
            action="extension.delete",
            actor=actor,
            request=request,
            target=ext,
            before=audit.snapshot(ext, FIELDS),
        )
        CallLog.objects.filter(extension_id=ext.pk).delete()
        ext.delete()


def test_extension(
    ext: CustomAuthenticationExtension, event: str, *, issuer: str
) -> client.CallResult:
    """Send a sample event of `event` to the extension (enabled or not, breaker ignored)
    and return the exact request, the answer, the latency and the validation result. The
    call is logged (marked as a test); nothing else changes."""
    if event not in Event.values:
        raise ValidationError({"event": "Choose a supported event."})
    spec = spec_of(ext)
    correlation_id = str(uuid.uuid4())
    body = samples.sample_body(spec, event, correlation_id=correlation_id)
    return client.call(
        spec, event, body, issuer=issuer, correlation_id=correlation_id, is_test=True
    )


def pretty(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False)


def purge_call_logs(days: int | None = None) -> int:
    """Delete call log rows older than CIAM_EXTENSION_CALL_LOG_DAYS (default 30)."""
    days = days if days is not None else int(getattr(settings, "CIAM_EXTENSION_CALL_LOG_DAYS", 30))
    deleted, _ = CallLog.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
