"""What `extensions` registers against the lower apps' interfaces: the "claims for this
token" provider of `applications` (OnTokenIssuanceStart) and the journey extension points
of `userflows` (OnAttributeCollectionStart/Submit, OnOtpSend, OnPasswordSubmit).

Only the first enabled extension (by name) that serves the event for the app and user
flow is called, as Entra binds one listener per event. A failed call (unreachable,
timeout, error status, malformed answer, breaker open) fails the step when the extension
is configured so (TokenIssuanceRefused / ExtensionFailure with a message safe to show),
or is ignored ("continue": the platform carries on without the extension's changes)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from applications import cache as app_cache
from applications import token_claims, tokens
from applications.token_claims import TokenIssuanceContext, TokenIssuanceRefused
from userflows.extension_points import (
    AttributeOutcome,
    ExtensionFailure,
    JourneyContext,
    PasswordOutcome,
)

from . import client, config, contracts, events
from .config import ExtensionSpec
from .contracts import RESERVED_CLAIMS
from .models import Event
from .passwords import encrypt_password_context

FRIENDLY_FAILURE = "Something went wrong while checking your details. Try again later."


def _app(client_id: str) -> events.ServicePrincipal:
    snapshot = app_cache.client(client_id) if client_id else None
    if snapshot is None:
        return events.service_principal(client_id or "", client_id or "")
    app = snapshot.app
    return events.service_principal(app.client_id, app.name, str(app.pk))


def _call(
    spec: ExtensionSpec,
    event: str,
    *,
    issuer: str,
    app: events.ServicePrincipal,
    correlation_id: str,
    ip: str = "",
    locale: str = "",
    user: dict[str, Any] | None = None,
    request_type: str | None = None,
    **event_data: Any,
) -> client.CallResult:
    auth = events.context(
        correlation_id=correlation_id,
        client_app=app,
        ip=ip,
        locale=locale,
        user=user,
        request_type=request_type,
    )
    body = contracts.request_body(
        event,
        tenant_id=tokens.tenant_id(),
        extension_id=spec.id,
        app_id=app.appId,
        context=auth,
        **event_data,
    )
    return client.call(spec, event, body, issuer=issuer, correlation_id=correlation_id)


# -- OnTokenIssuanceStart ------------------------------------------------------------------
def token_issuance_claims(ctx: TokenIssuanceContext) -> dict[str, Any]:
    """Claims an OnTokenIssuanceStart extension provides for this token (filtered to the
    claims it may return); {} when no extension applies, decided without a query."""
    spec = config.token_extension_for(ctx.client_id, app_only=ctx.user_id is None)
    if spec is None:
        return {}
    user = ctx.extra.get("user")
    result = _call(
        spec,
        Event.TOKEN_ISSUANCE_START,
        issuer=ctx.issuer,
        app=_app(ctx.client_id),
        correlation_id=str(ctx.extra.get("correlation_id") or uuid.uuid4()),
        ip=ctx.client_ip,
        user=events.user_json(user) if user is not None else None,
    )
    if not result.ok or result.answer is None:
        if spec.fail_on_error:
            raise TokenIssuanceRefused(
                "A custom authentication extension of this app failed; no token was issued."
            )
        return {}
    claims = result.answer.payload.get("claims") or {}
    return {
        name: value
        for name, value in claims.items()
        if name not in RESERVED_CLAIMS and (not spec.allowed_claims or name in spec.allowed_claims)
    }


# -- the journey ---------------------------------------------------------------------------
def _domain(issuer: str) -> str:
    return urlsplit(issuer).hostname or ""


def _failed(spec: ExtensionSpec, result: client.CallResult) -> None:
    if spec.fail_on_error:
        raise ExtensionFailure(FRIENDLY_FAILURE)


class JourneyExtensions:
    """The extension_points.Provider of custom authentication extensions."""

    def _spec(self, event: str, ctx: JourneyContext) -> ExtensionSpec | None:
        found = config.applicable(event, client_id=ctx.client_id, flow_id=ctx.flow_id)
        return found[0] if found else None

    def _journey_call(
        self, spec: ExtensionSpec, event: str, ctx: JourneyContext, **data: Any
    ) -> client.CallResult:
        return _call(
            spec,
            event,
            issuer=ctx.issuer,
            app=_app(ctx.client_id),
            correlation_id=ctx.journey_id or str(uuid.uuid4()),
            ip=ctx.client_ip,
            locale=ctx.ui_locale,
            **data,
        )

    def on_attribute_collection_start(self, ctx: JourneyContext) -> AttributeOutcome | None:
        spec = self._spec(Event.ATTRIBUTE_COLLECTION_START, ctx)
        if spec is None:
            return None
        result = self._journey_call(
            spec,
            Event.ATTRIBUTE_COLLECTION_START,
            ctx,
            userSignUpInfo=events.sign_up_info(ctx.email, ctx.attributes, _domain(ctx.issuer)),
        )
        if not result.ok or result.answer is None:
            _failed(spec, result)
            return None
        answer = result.answer
        if answer.action == "prefill":
            inputs = answer.payload.get("inputs") or {}
            return AttributeOutcome(values={events.our_name(k): v for k, v in inputs.items()})
        if answer.action == "block":
            return AttributeOutcome(
                action="block",
                title=answer.payload.get("title", ""),
                message=answer.payload.get("message", ""),
            )
        return AttributeOutcome()

    def on_attribute_collection_submit(
        self, ctx: JourneyContext, submitted: dict[str, Any]
    ) -> AttributeOutcome | None:
        spec = self._spec(Event.ATTRIBUTE_COLLECTION_SUBMIT, ctx)
        if spec is None:
            return None
        result = self._journey_call(
            spec,
            Event.ATTRIBUTE_COLLECTION_SUBMIT,
            ctx,
            userSignUpInfo=events.sign_up_info(ctx.email, submitted, _domain(ctx.issuer)),
        )
        if not result.ok or result.answer is None:
            _failed(spec, result)
            return None
        answer = result.answer
        if answer.action == "modify":
            changed = {events.our_name(k): v for k, v in answer.payload["attributes"].items()}
            # Attributes that were not collected are ignored, as Entra's.
            return AttributeOutcome(values={k: v for k, v in changed.items() if k in submitted})
        if answer.action == "block":
            return AttributeOutcome(
                action="block",
                title=answer.payload.get("title", ""),
                message=answer.payload.get("message", ""),
            )
        if answer.action == "show_errors":
            errors = {
                events.our_name(k): str(v)
                for k, v in (answer.payload.get("attributeErrors") or {}).items()
            }
            return AttributeOutcome(
                action="show_errors",
                message=answer.payload.get("message", ""),
                field_errors=errors,
            )
        return AttributeOutcome()

    def on_otp_send(self, ctx: JourneyContext, email: str, code: str) -> bool:
        spec = self._spec(Event.OTP_SEND, ctx)
        if spec is None:
            return False
        result = self._journey_call(
            spec,
            Event.OTP_SEND,
            ctx,
            request_type="signUp" if ctx.user_id is None else "signIn",
            otpContext={"identifier": email, "oneTimeCode": code},
        )
        if not result.ok:
            _failed(spec, result)
            return False  # continue: the platform sends the code itself
        return True

    def on_password_submit(
        self, ctx: JourneyContext, user_id: str, password: str
    ) -> PasswordOutcome | None:
        """Ask the legacy store (through the API) whether `password` is right. Migrate
        and UpdatePassword verify it; Retry does not; Block ends the sign-in."""
        spec = self._spec(Event.PASSWORD_SUBMIT, ctx)
        if spec is None:
            return None
        from directory.models import User

        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        nonce = secrets.token_urlsafe(24)
        result = self._journey_call(
            spec,
            Event.PASSWORD_SUBMIT,
            ctx,
            user=events.user_json(user),
            encryptedPasswordContext=encrypt_password_context(
                spec, username=user.email or ctx.email, password=password, nonce=nonce
            ),
        )
        if result.ok and result.answer is not None and result.answer.nonce != nonce:
            result.ok = False  # an answer to another call (or a replay): never trusted
        if not result.ok or result.answer is None:
            _failed(spec, result)
            return None
        action = result.answer.action
        message = str(result.answer.payload.get("message", ""))
        if action == "block":
            raise ExtensionFailure(message or FRIENDLY_FAILURE)
        return PasswordOutcome(verified=action in {"migrate", "update"}, message=message)


def register() -> None:
    from userflows import extension_points

    token_claims.register(token_issuance_claims)
    extension_points.register(JourneyExtensions())
