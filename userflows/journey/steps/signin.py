"""Sign-in and password-reset steps, and the sign-in rules both adapters share: smart
lockout, one-time-code limits, no-enumeration answers, OnPasswordSubmit for accounts to
migrate, and the signin.* / mfa.challenge / password.reset events.

The HTML sign-in pages still run allauth's views for their sequencing and call the same
rules through userflows.adapters (see docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from directory.models import User

from ... import devices, extension_points, lockout
from ..store import Journey
from .base import Challenge, Field, Outcome, Step, event, extension_context, flow_of
from .signup import CODE_LENGTH, check_code, password_problem, send_code

_DUMMY_HASH: list[str] = []
LOCKED = _("Too many failed sign-in attempts. Try again in %(seconds)s seconds.")
BAD_CREDENTIALS = _("The email address and/or password you specified are not correct.")
NO_PASSWORDS = _("This app does not use passwords. Sign in with a code.")


def _burn_a_hash(password: str) -> None:
    """Spend the time of a password check for an unknown account (no timing oracle)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password("not-a-real-password"))
    from django.contrib.auth.hashers import check_password

    check_password(password, _DUMMY_HASH[0])


def failed(journey: Journey, method: str, reason: str, user_id: Any = None) -> None:
    event(
        journey,
        "signin.failed",
        user_id=user_id,
        method=method,
        reason=reason,
        client_type=journey.client_type,
    )


def succeeded(journey: Journey, method: str, user: Any) -> None:
    event(
        journey,
        "signin.succeeded",
        user_id=user.pk,
        method=method,
        client_type=journey.client_type,
        amr=list(journey.amr),
    )


def user_of(journey: Journey) -> User | None:
    if not journey.user_id:
        return None
    cache = journey.__dict__.setdefault("_cache", {})
    if cache.get("user_id") != journey.user_id:
        cache["user"] = User.objects.filter(pk=journey.user_id).first()
        cache["user_id"] = journey.user_id
    return cache["user"]


def reveal_unknown_users() -> bool:
    from ...services import native_auth_settings

    return native_auth_settings().user_not_found_enabled


class IdentifyStep(Step):
    """Who is signing in (or resetting). An unknown or non-customer email proceeds like a
    known one, to a challenge that cannot succeed, unless the tenant turned on
    `user_not_found` for the native API."""

    name = "identify"

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            fields=[Field("username", "email", _("Email address"))],
            initial={"username": journey.login_hint},
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        email = str(data.get("username") or "").strip().lower()
        if not email or len(email) > 254 or "@" not in email:
            return Outcome.invalid(
                {"username": _("Enter a valid email address.")}, code="invalid_request"
            )
        user = User.objects.filter(email__iexact=email, kind=User.Kind.CUSTOMER).first()
        journey.values["email"] = email
        journey.user_id = None
        journey.values["candidate"] = str(user.pk) if user is not None else ""
        if user is None and journey.client_type == "native" and reveal_unknown_users():
            return Outcome.invalid(
                {"username": _("No account has this email.")}, code="user_not_found"
            )
        return Outcome.next()


def candidate(journey: Journey) -> User | None:
    pk = journey.values.get("candidate")
    return User.objects.filter(pk=pk).first() if pk else None


class PrimaryStep(Step):
    """The first factor: the password, or a one-time code sent to the email."""

    name = "primary"

    def methods(self, journey: Journey) -> list[str]:
        flow = flow_of(journey)
        found = []
        if flow.password_enabled:
            found.append("password")
        if flow.email_code_enabled:
            found.append("email_code")
        return found

    def challenge(self, journey: Journey) -> Challenge:
        methods = self.methods(journey)
        fields = [Field("password", "password", _("Password"))] if "password" in methods else []
        return Challenge(
            self.name,
            fields=fields,
            methods=methods,
            info={"code_length": CODE_LENGTH, "target": journey.values.get("email", "")},
        )

    def send_code(self, journey: Journey) -> bool:
        user = candidate(journey)
        email = journey.values.get("email", "")
        ok = send_code(
            journey,
            "signin",
            email,
            exists=user is not None and user.is_active,
            template="account/email/login_code",
        )
        journey.values["code_sent"] = ok
        return ok

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        method = data.get("method")
        if method == "password" and "password" in self.methods(journey):
            return self._password(journey, str(data.get("password") or ""))
        if method == "email_code" and "email_code" in self.methods(journey):
            return self._code(journey, str(data.get("code") or ""))
        if method == "password":
            return Outcome.invalid({"password": NO_PASSWORDS}, code="unsupported_challenge_type")
        return Outcome.invalid({"method": _("Choose a sign-in method.")}, code="invalid_request")

    def _password(self, journey: Journey, password: str) -> Outcome:
        email = journey.values.get("email", "")
        wait = lockout.locked_for(email, journey.client_ip)
        if wait:
            failed(journey, "password", "locked")
            return Outcome.invalid({"password": LOCKED % {"seconds": wait}}, code="user_locked")
        user = candidate(journey)
        if not password or len(password) > 1024:
            failed(journey, "password", "bad_credentials")
            return Outcome.invalid({"password": BAD_CREDENTIALS}, code="invalid_credentials")
        pending = bool(user is not None and user.password_migration_pending)
        if user is None or not (user.has_usable_password() or pending):
            _burn_a_hash(password)
            lockout.register_failure(email, journey.client_ip)
            failed(journey, "password", "unknown_user" if user is None else "bad_credentials")
            return Outcome.invalid({"password": BAD_CREDENTIALS}, code="invalid_credentials")
        matches = user.has_usable_password() and user.check_password(password)
        if not matches and not self.try_legacy_password(journey, user, password):
            lockout.register_failure(email, journey.client_ip)
            failed(journey, "password", "bad_credentials", user_id=user.pk)
            return Outcome.invalid({"password": BAD_CREDENTIALS}, code="invalid_credentials")
        return self._signed_in(journey, user, "pwd")

    def try_legacy_password(self, journey: Journey, user: User, password: str) -> bool:
        """OnPasswordSubmit: an account marked "to migrate" whose password does not match
        the stored one asks the legacy store; verified, the platform keeps the password."""
        if not getattr(user, "password_migration_pending", False):
            return False
        try:
            answer = extension_points.provider().on_password_submit(
                extension_context(journey), str(user.pk), password
            )
        except extension_points.ExtensionFailure:
            return False
        if answer is None or not answer.verified:
            return False
        with transaction.atomic():
            user.set_password(password)
            user.password_migration_pending = False
            user.save(update_fields=["password", "password_migration_pending"])
            event(journey, "password.migrated", user_id=user.pk)
        return True

    def _code(self, journey: Journey, code: str) -> Outcome:
        refused = check_code(journey, "signin", code)
        if refused is not None:
            user = candidate(journey)
            failed(journey, "email_otp", "bad_credentials", user_id=user.pk if user else None)
            return refused
        user = candidate(journey)
        if user is None:  # a burnt code never matches; belt and braces
            return Outcome.invalid({"code": _("That code is not valid.")}, code="invalid_oob_value")
        return self._signed_in(journey, user, "otp")

    def _signed_in(self, journey: Journey, user: User, amr: str) -> Outcome:
        if user.kind != User.Kind.CUSTOMER or not user.is_active:
            failed(journey, "password" if amr == "pwd" else "email_otp", "blocked", user.pk)
            return Outcome.block(_("This account is inactive."), code="user_blocked")
        lockout.register_success(user.email or "", journey.client_ip)
        journey.user_id = str(user.pk)
        journey.amr = [*journey.amr, amr]
        journey.values["primary_method"] = "password" if amr == "pwd" else "email_otp"
        return Outcome.next()


class MfaStep(Step):
    """A second factor when the flow's policy (always, or risky sign-ins) asks for it: an
    email one-time code, or the authenticator app (TOTP) the customer registered."""

    name = "mfa"

    def _has_totp(self, user: User) -> bool:
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    def required(self, journey: Journey) -> bool:
        user = user_of(journey)
        if user is None or "mfa" in journey.amr or "otp" in journey.amr:
            return False
        if self._has_totp(user):
            return True  # a registered authenticator app is always asked (as allauth.mfa)
        policy = self.settings.get("policy", "off")
        if policy == "always":
            return True
        if policy == "risky":
            request = journey.request
            risky = request is None or devices.is_risky(request, user)
            journey.risk = "medium" if risky else "none"
            return risky
        return False

    def satisfied(self, journey: Journey) -> bool:
        return not self.required(journey)

    def methods(self, journey: Journey) -> list[str]:
        user = user_of(journey)
        if user is not None and self._has_totp(user):
            return ["totp", "recovery_codes"]
        return ["email"]

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            fields=[Field("code", "code", _("Verification code"))],
            methods=self.methods(journey),
            info={"code_length": CODE_LENGTH, "target": journey.values.get("email", "")},
        )

    def send_code(self, journey: Journey) -> bool:
        user = user_of(journey)
        if user is None:
            return False
        journey.values["email"] = user.email
        return send_code(
            journey, "mfa", user.email, exists=True, template="account/email/login_code"
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        if "email" not in self.methods(journey):
            return Outcome.redirect(code="totp_not_supported")
        refused = check_code(journey, "mfa", str(data.get("code") or ""))
        if refused is not None:
            event(journey, "mfa.challenge", method="email", result="failure")
            failed(journey, journey.values.get("primary_method", "password"), "mfa_failed")
            return refused
        event(journey, "mfa.challenge", method="email", result="success")
        journey.amr = [*journey.amr, "mfa"]
        return Outcome.next()


class ResetCodeStep(Step):
    name = "reset_code"

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(
            self.name,
            fields=[Field("code", "code", _("Verification code"))],
            methods=["email_code"],
            info={"code_length": CODE_LENGTH, "target": journey.values.get("email", "")},
        )

    def send_code(self, journey: Journey) -> bool:
        user = candidate(journey)
        return send_code(
            journey,
            "reset",
            journey.values.get("email", ""),
            exists=user is not None and user.is_active,
            template="account/email/password_reset_code",
        )

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        refused = check_code(journey, "reset", str(data.get("code") or ""))
        if refused is not None:
            return refused
        journey.values["reset_verified"] = True
        return Outcome.next()


class ResetPasswordStep(Step):
    name = "reset_password"

    def challenge(self, journey: Journey) -> Challenge:
        return Challenge(self.name, fields=[Field("password", "password", _("New password"))])

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        user = candidate(journey)
        if user is None or not journey.values.get("reset_verified"):
            return Outcome.invalid({"code": _("Verify your email first.")}, code="invalid_request")
        password = str(data.get("password") or "")
        problem = password_problem(password, user.email or "")
        if problem is not None:
            return Outcome.invalid({"password": problem[0]}, code=problem[1])
        with transaction.atomic():
            user.set_password(password)
            fields = ["password"]
            if getattr(user, "password_migration_pending", False):
                user.password_migration_pending = False
                fields.append("password_migration_pending")
            user.save(update_fields=fields)
            event(journey, "password.reset", user_id=user.pk, client_type=journey.client_type)
        lockout.register_success(user.email or "", journey.client_ip)
        journey.user_id = str(user.pk)
        journey.amr = ["pwd"]
        return Outcome.next()
