"""Sign-up steps: email -> code -> password (when the flow uses passwords) -> attributes
-> account. Nothing is written to the directory before the last step; the account, its
verified email address and the signup.completed event are written in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from branding import emails
from ciam import ratelimit
from directory.models import User
from insights.services import record_event

from ... import codes, extension_points
from ...attributes import AttributesForm, apply_values
from ...passwords import validate_customer_password
from ..store import Journey
from .base import Challenge, Field, Outcome, Step, event, extension_context, flow_of

CODE_ERRORS = {
    "invalid": _("That code is not valid. Check it and try again."),
    "expired": _("That code has expired. Start again to get a new one."),
    "too_many_attempts": _("Too many wrong codes. Start again to get a new one."),
}
TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")
CODE_LENGTH = 6


def json_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


def send_code(journey: Journey, purpose: str, email: str, *, exists: bool, template: str) -> bool:
    """Issue a one-time code for `email` into the journey and deliver it (or, where an
    account exists and the purpose is sign-up, a notice instead). False when rate-limited."""
    if not (
        ratelimit.hit(f"{purpose}-ip", journey.client_ip, limit=20, window=3600)
        and ratelimit.hit(f"{purpose}-email", email, limit=5, window=3600)
    ):
        return False
    code = codes.new_code()
    journey.values["code"] = codes.issue(purpose, email, code)
    flow = flow_of(journey)
    adapter = get_adapter(journey.request)
    if purpose == "signup" and exists:
        journey.values["code"]["used"] = True  # never verifiable: no account twice
        adapter.send_mail("userflows/email/account_exists", email, {"flow": flow})
        return True
    if purpose != "signup" and not exists:
        journey.values["code"]["used"] = True  # an unknown account never gets a code
        return True
    handled = extension_points.provider().on_otp_send(extension_context(journey), email, code)
    if not handled:
        adapter.send_mail(template, email, {"code": code, "flow": flow})
    return True


def check_code(journey: Journey, purpose: str, code: str) -> Outcome | None:
    """None when `code` is right; else an invalid outcome (the attempt is counted)."""
    try:
        codes.check(journey.values.get("code"), purpose, journey.values.get("email", ""), code)
    except codes.CodeError as exc:
        event(journey, f"{journey.kind}.code_rejected", reason=exc.reason)
        return Outcome.invalid({"code": CODE_ERRORS[exc.reason]}, code="invalid_oob_value")
    return None


class EmailStep(Step):
    name = "email"

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            title=_("Create your account"),
            submit_label=_("Send code"),
            fields=[Field("email", "email", _("Email address"))],
            initial={"email": journey.values.get("email") or journey.login_hint},
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        email = str(data.get("email") or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            return Outcome.invalid(
                {"email": _("Enter a valid email address.")}, code="invalid_request"
            )
        if len(email) > 254:
            return Outcome.invalid(
                {"email": _("Enter a valid email address.")}, code="invalid_request"
            )
        exists = User.objects.filter(email__iexact=email).exists()
        journey.values["email"] = email
        journey.values["exists"] = exists
        try:
            sent = send_code(
                journey, "signup", email, exists=exists, template="userflows/email/signup_code"
            )
        except extension_points.ExtensionFailure as exc:
            # OnOtpSend failed and is configured to fail the step: no code was sent.
            journey.values.pop("code", None)
            return Outcome.invalid({"email": exc.message}, code="invalid_request")
        if not sent:
            return Outcome.invalid({"email": TOO_MANY}, code="rate_limited")
        event(journey, "signup.code_sent")
        return Outcome.next()


class VerifyEmailStep(Step):
    name = "verify_email"

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            title=_("Verify your email"),
            submit_label=_("Verify"),
            fields=[Field("code", "code", _("Verification code"))],
            methods=["email_code"],
            info={"code_length": CODE_LENGTH, "target": journey.values.get("email", "")},
        )

    def resend(self, journey: Journey) -> bool:
        email = journey.values.get("email", "")
        return send_code(
            journey,
            "signup",
            email,
            exists=bool(journey.values.get("exists")),
            template="userflows/email/signup_code",
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        refused = check_code(journey, "signup", str(data.get("code") or ""))
        if refused is not None:
            return refused
        journey.values["email_verified"] = True
        event(journey, "signup.email_verified")
        return Outcome.next()


def password_problem(password: str, email: str) -> tuple[list[str], str] | None:
    """The password policy's messages and the native suberror, or None when fine."""
    try:
        validate_customer_password(password, user=User(email=email))
    except ValidationError as exc:
        codes_ = {getattr(e, "code", "") for e in exc.error_list}
        if "password_too_short" in codes_:
            sub = "password_too_short"
        elif "password_too_common" in codes_ or "password_banned" in codes_:
            sub = "password_banned"
        else:
            sub = "password_too_weak"
        return list(exc.messages), sub
    if len(password) > 256:
        return [str(_("That password is too long."))], "password_too_long"
    return None


class NewPasswordStep(Step):
    name = "new_password"

    def satisfied(self, journey: Journey) -> bool:
        return bool(journey.values.get("password_hash"))

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            title=_("Choose a password"),
            submit_label=_("Continue"),
            fields=[Field("password", "password", _("Password"))],
            methods=["password"],
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        password = str(data.get("password") or "")
        if not password:
            return Outcome.invalid(
                {"password": _("This field is required.")}, code="invalid_request"
            )
        problem = password_problem(password, journey.values.get("email", ""))
        if problem is not None:
            return Outcome.invalid({"password": problem[0]}, code=problem[1])
        journey.values["password_hash"] = make_password(password)
        event(journey, "signup.password_set")
        return Outcome.next()


class AttributesStep(Step):
    """The flow's attributes (OnAttributeCollectionStart prefills or blocks,
    OnAttributeCollectionSubmit modifies, refuses or blocks)."""

    name = "attributes"

    def specs(self, journey: Journey) -> list[Any]:
        return list(flow_of(journey).attributes.all())

    def satisfied(self, journey: Journey) -> bool:
        return "attributes" in journey.values

    def start(self, journey: Journey) -> Outcome | None:
        """OnAttributeCollectionStart, once per journey; a block ends the journey."""
        if "prefill" in journey.values:
            return None
        try:
            answer = extension_points.provider().on_attribute_collection_start(
                extension_context(journey)
            )
        except extension_points.ExtensionFailure as exc:
            return Outcome.block(exc.message or _("Something went wrong. Try again later."))
        if answer is not None and answer.action == "block":
            return Outcome.block(answer.message, title=answer.title)
        journey.values["prefill"] = json_values(dict(answer.values)) if answer else {}
        return None

    def challenge(self, journey: Journey) -> Challenge:
        fields = [
            Field(
                s.attribute,
                s.input_type,
                s.label,
                required=s.required,
                choices=list(s.choices or []),
                link_url=s.link_url,
            )
            for s in self.specs(journey)
        ]
        return Challenge(
            self.name,
            title=_("Tell us about yourself"),
            submit_label=_("Create account"),
            fields=fields,
            initial=dict(journey.values.get("prefill") or {}),
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        form = AttributesForm(data, flow=flow_of(journey))
        if not form.is_valid():
            return Outcome.invalid(
                {k: list(v) for k, v in form.errors.items()}, code="attribute_validation_failed"
            )
        values = json_values(dict(form.cleaned_data))
        journey.values["attributes"] = values  # what the extension sees as collected
        try:
            answer = extension_points.provider().on_attribute_collection_submit(
                extension_context(journey), dict(values)
            )
        except extension_points.ExtensionFailure as exc:
            journey.values.pop("attributes", None)
            return Outcome.block(exc.message or _("Something went wrong. Try again later."))
        if answer is not None and answer.action == "block":
            journey.values.pop("attributes", None)
            return Outcome.block(answer.message, title=answer.title)
        if answer is not None and answer.action == "show_errors":
            journey.values.pop("attributes", None)
            errors: dict[str, Any] = dict(answer.field_errors)
            if answer.message:
                errors.setdefault("__all__", answer.message)
            return Outcome.invalid(errors, code="attribute_validation_failed")
        if answer is not None and answer.values:
            values.update({k: v for k, v in json_values(answer.values).items() if k in values})
        journey.values["attributes"] = values
        event(journey, "signup.attributes_collected", count=len(values))
        return Outcome.next()


class CreateAccountStep(Step):
    name = "create_account"
    automatic = True

    def satisfied(self, journey: Journey) -> bool:
        return bool(journey.user_id)

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(self.name)

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        flow = flow_of(journey)
        email = journey.values.get("email", "")
        code_state = journey.values.get("code") or {}
        if not (journey.values.get("email_verified") and code_state.get("used")):
            return Outcome.invalid(
                {"__all__": _("Verify your email first.")}, code="invalid_request"
            )
        if flow.password_enabled and not journey.values.get("password_hash"):
            return Outcome.invalid(
                {"__all__": _("Choose a password first.")}, code="credential_required"
            )
        try:
            user = create_customer(journey, email)
        except ValidationError as exc:
            return Outcome.block(" ".join(exc.messages), code="user_already_exists")
        journey.user_id = str(user.pk)
        journey.amr = ["pwd"] if journey.values.get("password_hash") else ["otp"]
        journey.values.pop("password_hash", None)
        return Outcome.next()


@transaction.atomic
def create_customer(journey: Journey, email: str) -> User:
    """The one place a self-service customer account is created (never touches an
    existing account)."""
    user = User(email=email, kind=User.Kind.CUSTOMER)
    if journey.values.get("password_hash"):
        user.password = journey.values["password_hash"]
    else:
        user.set_unusable_password()
    apply_values(user, journey.values.get("attributes") or {})
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(_("This account cannot be created. Try signing in.")) from exc
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    record_event(
        "signup.completed",
        request=journey.request,
        user_id=user.pk,
        client_id=journey.client_id,
        flow_id=journey.flow_id or None,
        data={
            "method": "password" if journey.values.get("password_hash") else "email_otp",
            "idp": "",
            "client_type": journey.client_type,
        },
    )
    request = journey.request
    transaction.on_commit(lambda: emails.send("welcome", email, request, {"email": email}))
    return user
