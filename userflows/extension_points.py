"""The journey's extension points: the one interface through which a higher app (the
`extensions` app, custom authentication extensions) takes part in a customer journey.

`userflows` sits below `extensions` in DESIGN.md's import order, so it defines this
interface and `extensions` registers one provider in its `AppConfig.ready`:

    from userflows import extension_points
    extension_points.register(MyProvider())

The journey engine calls `provider()` at fixed places, for the HTML pages and the native
authentication API alike:

- OnAttributeCollectionStart  -> `on_attribute_collection_start(ctx)` before the sign-up
  attribute step is shown: continue, prefill values, or block.
- OnAttributeCollectionSubmit -> `on_attribute_collection_submit(ctx, submitted)` after
  the customer submits attributes: continue, modify values, block, or field errors.
- OnOtpSend                   -> `on_otp_send(ctx, email, code)`: True when the
  extension delivered the one-time code itself (the platform then sends nothing).
- OnPasswordSubmit            -> `on_password_submit(ctx, user_id, password)` on the first
  password sign-in of an account marked "to migrate": verified or not by the legacy store.

A provider method that cannot reach its API, or gets a malformed answer, and whose
extension is configured to fail the step raises `ExtensionFailure` (the engine shows a
friendly block page / native error); configured to continue, it returns None.
Every method returns None when no extension applies. Nothing here knows HTML or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class JourneyContext:
    """What an extension may know about the journey it is called from."""

    tenant_id: str  # the tenant's stable id (Entra's tenantId)
    issuer: str  # the tenant issuer the journey runs under
    journey_id: str  # correlation id of the journey
    flow_id: str | None  # the user flow's id
    client_id: str  # the app registration the customer signs in to ("" when none)
    client_type: Literal["browser", "native"]
    email: str = ""
    user_id: str | None = None  # once the account is known
    ui_locale: str = ""
    client_ip: str = ""
    user_agent: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)  # collected so far, by name
    risk_level: str = "none"


@dataclass
class AttributeOutcome:
    """An extension's answer to an attribute-collection event.

    action: "continue" (use `values` as prefill on start, or as modified values on
    submit, when non-empty), "block" (show `title` / `message` and end the journey), or
    "show_errors" (submit only: `field_errors` by attribute name, plus `message`)."""

    action: Literal["continue", "block", "show_errors"] = "continue"
    values: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    message: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)


@dataclass
class PasswordOutcome:
    """OnPasswordSubmit's answer: `verified` True when the legacy store accepted the
    password (the platform then stores its own hash and clears the migration mark)."""

    verified: bool
    message: str = ""


class ExtensionFailure(Exception):
    """An extension failed and is configured to fail the step; `message` is safe to show
    to the customer."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Provider(Protocol):
    def on_attribute_collection_start(self, ctx: JourneyContext) -> AttributeOutcome | None: ...

    def on_attribute_collection_submit(
        self, ctx: JourneyContext, submitted: dict[str, Any]
    ) -> AttributeOutcome | None: ...

    def on_otp_send(self, ctx: JourneyContext, email: str, code: str) -> bool: ...

    def on_password_submit(
        self, ctx: JourneyContext, user_id: str, password: str
    ) -> PasswordOutcome | None: ...


class _NoExtensions:
    def on_attribute_collection_start(self, ctx: JourneyContext) -> AttributeOutcome | None:
        return None

    def on_attribute_collection_submit(
        self, ctx: JourneyContext, submitted: dict[str, Any]
    ) -> AttributeOutcome | None:
        return None

    def on_otp_send(self, ctx: JourneyContext, email: str, code: str) -> bool:
        return False

    def on_password_submit(
        self, ctx: JourneyContext, user_id: str, password: str
    ) -> PasswordOutcome | None:
        return None


_provider: Provider = _NoExtensions()


def register(new: Provider) -> None:
    """Install the provider (one per process, from an AppConfig.ready)."""
    global _provider
    _provider = new


def reset() -> None:
    global _provider
    _provider = _NoExtensions()


def provider() -> Provider:
    return _provider
