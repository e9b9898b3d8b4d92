"""Customer sign-up: the email is proved by a one-time code before anything is created;
the account is written in one transaction, with its event, once every step is valid."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from branding import emails
from ciam import ratelimit
from ciam.clientip import client_ip
from directory.models import User
from insights.services import record_event

from . import codes, context, extension_points, hooks
from .attributes import apply_values
from .models import UserFlow

SESSION_KEY = "userflow_signup"
CODE_ERRORS = {
    "invalid": _("That code is not valid. Check it and try again."),
    "expired": _("That code has expired. Start again to get a new one."),
    "too_many_attempts": _("Too many wrong codes. Start again to get a new one."),
}
TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")


def record_step(request: HttpRequest, flow: UserFlow, kind: str, data: dict[str, Any]) -> None:
    ctx = context.get_context(request)
    with transaction.atomic():
        record_event(kind, request=request, client_id=ctx.client_id, flow_id=flow.pk, data=data)


def json_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


def _client_ip(request: HttpRequest) -> str:
    return client_ip(request)


def start_email_verification(
    request: HttpRequest, flow: UserFlow, state: dict[str, Any], email: str
) -> None:
    """Send a sign-up code to `email`. When an account already has this address, that
    address receives a notice instead of a code and the page answers exactly the same, so
    sign-up reveals nothing about which emails have accounts."""
    email = email.strip().lower()
    if not (
        ratelimit.hit("signup-ip", _client_ip(request), limit=20, window=3600)
        and ratelimit.hit("signup-email", email, limit=5, window=3600)
    ):
        raise ValidationError({"email": TOO_MANY})
    exists = User.objects.filter(email__iexact=email).exists()
    code = codes.new_code()
    state["email"] = email
    state["code"] = codes.issue("signup", email, code)
    if exists:
        state["code"]["used"] = True  # never verifiable: no account is created twice
    adapter = get_adapter(request)
    if exists:
        adapter.send_mail("userflows/email/account_exists", email, {"flow": flow})
    else:
        handled = hooks.run(hooks.OTP_SEND, request=request, email=email, code=code)
        if not handled.get("handled"):
            handled["handled"] = _extension_sent_code(request, flow, email, code)
        if not handled.get("handled"):
            adapter.send_mail("userflows/email/signup_code", email, {"code": code, "flow": flow})
    record_step(request, flow, "signup.code_sent", {})


def _extension_sent_code(request: HttpRequest, flow: UserFlow, email: str, code: str) -> bool:
    """OnOtpSend: True when a custom authentication extension delivered the code."""
    try:
        return extension_points.provider().on_otp_send(
            hooks.journey_context(request, flow, email), email, code
        )
    except extension_points.ExtensionFailure as exc:
        raise ValidationError({"email": exc.message}) from exc


@transaction.atomic
def complete_signup(request: HttpRequest, flow: UserFlow, state: dict[str, Any]) -> User:
    """Create the customer account from a finished sign-up state. Never touches an
    existing account (admin or customer)."""
    email = state["email"]
    if not state.get("code", {}).get("used") or "verify_email" not in state.get("done", []):
        raise ValidationError(_("Verify your email first."))
    if flow.password_enabled and not state.get("password_hash"):
        raise ValidationError(_("Choose a password first."))
    user = User(email=email, kind=User.Kind.CUSTOMER)
    if state.get("password_hash"):
        user.password = state["password_hash"]
    else:
        user.set_unusable_password()
    apply_values(user, state.get("attributes") or {})
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(_("This account cannot be created. Try signing in.")) from exc
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    ctx = context.get_context(request)
    record_event(
        "signup.completed",
        request=request,
        user_id=user.pk,
        client_id=ctx.client_id,
        flow_id=flow.pk,
        data={"method": "email_code"},
    )
    transaction.on_commit(lambda: emails.send("welcome", email, request, {"email": email}))
    return user


@transaction.atomic
def save_collected_attributes(
    request: HttpRequest, flow: UserFlow, user: User, values: dict[str, Any]
) -> None:
    """Store attributes collected at sign-in (first federated sign-in, new required
    attributes) with their event."""
    apply_values(user, json_values(values))
    user.save()
    ctx = context.get_context(request)
    record_event(
        "signup.attributes_collected",
        request=request,
        user_id=user.pk,
        client_id=ctx.client_id,
        flow_id=flow.pk,
        data={"count": len(values)},
    )
