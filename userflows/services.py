"""User flow services: flows and their attributes, app links, identity providers and the
tenant's password policy. Admin changes are audited; customer steps live in the journey engine and
account.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ciam import crypto
from directory import audit
from directory.models import CustomAttribute

from .models import FlowAttribute, IdentityProvider, PasswordPolicy, UserFlow, UserFlowApplication

DEFAULT_FLOW_NAME = "Default sign-up and sign-in"
BUILTIN_ATTRIBUTES: dict[str, str] = {
    "display_name": "Display name",
    "given_name": "Given name",
    "surname": "Surname",
    "city": "City",
    "country": "Country/Region",
    "postal_code": "Postal code",
    "state": "State/Province",
    "street_address": "Street address",
    "job_title": "Job title",
}
FLOW_FIELDS = [
    "name",
    "is_default",
    "password_enabled",
    "email_code_enabled",
    "signup_enabled",
    "mfa_policy",
]


def initialize_tenant_userflows(tenant: Any) -> None:
    """Provisioning step: every tenant starts with a default flow."""
    get_default_flow()


def get_default_flow() -> UserFlow:
    flow = UserFlow.objects.filter(is_default=True).first()
    if flow is None:
        try:
            with transaction.atomic():
                flow = UserFlow.objects.create(name=DEFAULT_FLOW_NAME, is_default=True)
        except IntegrityError:
            flow = UserFlow.objects.get(is_default=True)
    return flow


def flow_for_client(client_id: str) -> UserFlow | None:
    link = (
        UserFlowApplication.objects.select_related("flow")
        .filter(application__client_id=client_id)
        .first()
    )
    return link.flow if link else None


def attribute_choices() -> list[tuple[str, str]]:
    """Built-in and custom attributes that a flow may collect."""
    custom = [(a.name, f"{a.label} (custom)") for a in CustomAttribute.objects.all()]
    return list(BUILTIN_ATTRIBUTES.items()) + custom


def _flow_snapshot(flow: UserFlow) -> dict[str, Any]:
    data = audit.snapshot(flow, FLOW_FIELDS) or {}
    data["identity_providers"] = sorted(str(p.slug) for p in flow.identity_providers.all())
    data["attributes"] = [
        {"attribute": a.attribute, "input_type": a.input_type, "required": a.required}
        for a in flow.attributes.all()
    ]
    data["applications"] = sorted(
        link.application.client_id for link in flow.app_links.select_related("application")
    )
    return data


def save_flow(
    *,
    flow: UserFlow | None,
    data: dict[str, Any],
    actor: Any,
    request: HttpRequest | None = None,
) -> UserFlow:
    """Create or update a flow (its settings, identity providers and apps)."""
    if not data.get("password_enabled") and not data.get("email_code_enabled"):
        raise ValidationError({"password_enabled": "Enable at least one sign-in method."})
    with transaction.atomic():
        before = _flow_snapshot(flow) if flow else None
        if data.get("is_default"):
            others = UserFlow.objects.filter(is_default=True)
            if flow is not None:
                others = others.exclude(pk=flow.pk)
            others.update(is_default=False)
        flow = flow or UserFlow()
        if flow.is_default and not data.get("is_default"):
            raise ValidationError({"is_default": "Make another flow the default first."})
        for name in FLOW_FIELDS:
            if name in data:
                setattr(flow, name, data[name])
        try:
            with transaction.atomic():
                flow.save()
        except IntegrityError as exc:
            raise ValidationError({"name": "A user flow with this name already exists."}) from exc
        if "identity_providers" in data:
            flow.identity_providers.set(data["identity_providers"])
        if "applications" in data:
            apps = list(data["applications"])
            UserFlowApplication.objects.filter(flow=flow).exclude(application__in=apps).delete()
            for app in apps:
                # An app uses at most one flow: linking it here moves it from its old flow.
                UserFlowApplication.objects.update_or_create(
                    application=app, defaults={"flow": flow}
                )
        audit.record(
            action="userflow.update" if before else "userflow.create",
            actor=actor,
            request=request,
            target=flow,
            before=before,
            after=_flow_snapshot(flow),
        )
    return flow


def delete_flow(*, flow: UserFlow, actor: Any, request: HttpRequest | None = None) -> None:
    if flow.is_default:
        raise ValidationError("The default user flow cannot be deleted.")
    with transaction.atomic():
        before = _flow_snapshot(flow)
        audit.record(
            action="userflow.delete", actor=actor, request=request, target=flow, before=before
        )
        flow.delete()


def save_attribute(
    *,
    flow: UserFlow,
    attribute: FlowAttribute | None,
    data: dict[str, Any],
    actor: Any,
    request: HttpRequest | None = None,
) -> FlowAttribute:
    """Add or change one sign-up attribute of a flow."""
    name = data["attribute"]
    known = dict(attribute_choices())
    if name not in known:
        raise ValidationError({"attribute": "Choose a built-in or custom attribute."})
    input_type = data["input_type"]
    if name in BUILTIN_ATTRIBUTES and input_type != FlowAttribute.InputType.TEXT:
        raise ValidationError({"input_type": "Built-in attributes are collected in a text box."})
    choices = [c for c in data.get("choices") or [] if c]
    if input_type in ("radio", "checkboxes") and len(choices) < 2:
        raise ValidationError({"choices": "Give at least two choices, one per line."})
    with transaction.atomic():
        before = audit.snapshot(attribute) if attribute else None
        attribute = attribute or FlowAttribute(flow=flow)
        attribute.attribute = name
        attribute.label = data.get("label") or known[name].removesuffix(" (custom)")
        attribute.input_type = input_type
        attribute.choices = choices
        attribute.required = bool(data.get("required"))
        attribute.order = data.get("order") or 0
        attribute.link_url = data.get("link_url") or ""
        try:
            with transaction.atomic():
                attribute.save()
        except IntegrityError as exc:
            raise ValidationError({"attribute": "This flow already collects it."}) from exc
        audit.record(
            action="userflow.attribute.update" if before else "userflow.attribute.create",
            actor=actor,
            request=request,
            target=attribute,
            before=before,
            after=audit.snapshot(attribute),
        )
    return attribute


def delete_attribute(
    *, attribute: FlowAttribute, actor: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit.record(
            action="userflow.attribute.delete",
            actor=actor,
            request=request,
            target=attribute,
            before=audit.snapshot(attribute),
        )
        attribute.delete()


IDP_FIELDS = ["kind", "slug", "name", "client_id", "issuer", "scopes", "claim_mapping"]


def save_identity_provider(
    *,
    provider: IdentityProvider | None,
    data: dict[str, Any],
    actor: Any,
    request: HttpRequest | None = None,
) -> IdentityProvider:
    """Create or update an identity provider; the client secret is encrypted at rest and
    kept unchanged when the form leaves it empty."""
    kind = str(data.get("kind") or getattr(provider, "kind", ""))
    if kind == IdentityProvider.Kind.OIDC and not data.get("issuer"):
        raise ValidationError({"issuer": "OpenID Connect providers need an issuer URL."})
    if kind == IdentityProvider.Kind.OIDC and data.get("issuer") != getattr(
        provider, "issuer", None
    ):
        from .federation import discover_oidc

        discover_oidc(data["issuer"])
    if provider is None and not data.get("client_secret"):
        raise ValidationError({"client_secret": "Enter the client secret."})
    with transaction.atomic():
        before = audit.snapshot(provider, IDP_FIELDS) if provider else None
        provider = provider or IdentityProvider(kind=kind)
        for name in IDP_FIELDS:
            if name in data and name != "kind":
                setattr(provider, name, data[name])
        if kind != IdentityProvider.Kind.OIDC:
            provider.slug = str(provider.slug or kind)
        if data.get("client_secret"):
            provider.client_secret_encrypted = crypto.encrypt(data["client_secret"])
        try:
            with transaction.atomic():
                provider.save()
        except IntegrityError as exc:
            raise ValidationError({"slug": "Another provider already uses this id."}) from exc
        audit.record(
            action="identity_provider.update" if before else "identity_provider.create",
            actor=actor,
            request=request,
            target=provider,
            before=before,
            after=audit.snapshot(provider, IDP_FIELDS),
        )
    return provider


def delete_identity_provider(
    *, provider: IdentityProvider, actor: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit.record(
            action="identity_provider.delete",
            actor=actor,
            request=request,
            target=provider,
            before=audit.snapshot(provider, IDP_FIELDS),
        )
        provider.delete()


def native_auth_settings() -> Any:
    from .models import NativeAuthSettings

    return NativeAuthSettings.objects.get_or_create(id=1)[0]


def update_native_auth_settings(
    *, user_not_found_enabled: bool, actor: Any, request: HttpRequest | None = None
) -> Any:
    from .models import NativeAuthSettings

    with transaction.atomic():
        row = NativeAuthSettings.objects.select_for_update().get_or_create(id=1)[0]
        before = audit.snapshot(row, ["user_not_found_enabled"])
        row.user_not_found_enabled = bool(user_not_found_enabled)
        row.save()
        audit.record(
            action="native_auth_settings.update",
            actor=actor,
            request=request,
            target=row,
            target_label="Native authentication",
            before=before,
            after=audit.snapshot(row, ["user_not_found_enabled"]),
        )
    return row


def get_password_policy() -> PasswordPolicy:
    return PasswordPolicy.objects.get_or_create(id=1)[0]


POLICY_FIELDS = ["min_length", "reject_common", "change_breached_at_signin"]


def update_password_policy(
    *,
    min_length: int,
    reject_common: bool,
    actor: Any,
    request: HttpRequest | None = None,
    change_breached_at_signin: bool | None = None,
) -> PasswordPolicy:
    if not 8 <= min_length <= 128:
        raise ValidationError({"min_length": "Choose a length between 8 and 128."})
    with transaction.atomic():
        policy = PasswordPolicy.objects.select_for_update().get_or_create(id=1)[0]
        before = audit.snapshot(policy, POLICY_FIELDS)
        policy.min_length, policy.reject_common = min_length, reject_common
        if change_breached_at_signin is not None:
            policy.change_breached_at_signin = change_breached_at_signin
        policy.save()
        audit.record(
            action="password_policy.update",
            actor=actor,
            request=request,
            target=policy,
            target_label="Password policy",
            before=before,
            after=audit.snapshot(policy, POLICY_FIELDS),
        )
    return policy
