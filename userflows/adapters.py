"""Narrow allauth adapters: allauth runs the flows; these decide, per tenant and per user
flow, which methods are open, apply smart lockout and the password policy, keep admin
accounts out of the customer pages, and write the events."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from branding import emails
from ciam.clientip import client_ip
from directory.models import User
from insights.services import record_event

from . import context, devices, lockout
from .passwords import breached_at_signin, validate_customer_password

logger = logging.getLogger(__name__)
CODE_TEMPLATES = (
    "account/email/login_code",
    "account/email/password_reset_code",
    "account/email/password_reset_key",
)


METHODS = {"password": "password", "code": "email_otp", "socialaccount": "federated"}
MFA_METHODS = {"code": "email", "totp": "totp", "recovery_codes": "recovery_codes"}


def _ip(request: HttpRequest | None) -> str:
    return client_ip(request)


def _event(request: HttpRequest, kind: str, user_id: Any = None, **data: Any) -> None:
    ctx = context.get_context(request)
    with transaction.atomic():
        record_event(
            kind,
            request=request,
            user_id=user_id,
            client_id=ctx.client_id,
            flow_id=ctx.flow_id,
            data=data,
        )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return context.get_flow(request).signup_enabled

    def is_safe_url(self, url: str) -> bool:
        """Redirect targets stay on this site and inside this tenant."""
        request = getattr(self, "request", None)
        if request is None:
            return super().is_safe_url(url)
        return context.is_own_url(request, url)

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits use the platform's one client-address rule."""
        return client_ip(request) or super().get_client_ip(request)

    def clean_email(self, email: str) -> str:
        """The directory's one email rule (directory/emails.py) on sign-up and changes."""
        from directory.emails import clean_email

        return clean_email(super().clean_email(email))

    def clean_password(self, password: str, user: Any = None) -> str:
        validate_customer_password(password, user=user)
        return password

    def format_email_subject(self, subject: str) -> str:
        tenant = getattr(connection, "tenant", None)
        name = getattr(tenant, "display_name", "") or "CIAM"
        return f"[{name}] {subject}"

    def get_from_email(self) -> str:
        return emails.from_email(self.request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Codes and reset links go to customer accounts only: the customer pages never
        # sign in or change an admin account.
        if template_prefix in CODE_TEMPLATES:
            user = User.objects.filter(email__iexact=email).first()
            if user is not None and user.kind != User.Kind.CUSTOMER:
                return
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            # The page answers the same whether or not mail went out (no enumeration, no
            # 500); the customer can ask for a new code. Operators see the failure here.
            logger.exception("Could not send %s to the customer", template_prefix)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        if not context.get_flow(request).password_enabled:
            raise ValidationError(_("This app does not use passwords. Sign in with a code."))
        email = (credentials.get("email") or "").strip().lower()
        wait = lockout.locked_for(email, _ip(request))
        if wait:
            _event(
                request, "signin.failed", method="password", reason="locked", client_type="browser"
            )
            raise ValidationError(
                _("Too many failed sign-in attempts. Try again in %(seconds)s seconds.")
                % {"seconds": wait}
            )
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        password = credentials.get("password")
        if user is not None and password and breached_at_signin(user, password):
            _event(request, "signin.breached_password", user_id=user.pk)
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        email = (credentials.get("email") or "").strip().lower()
        lockout.register_failure(email, _ip(request))
        known = User.objects.filter(email__iexact=email, kind=User.Kind.CUSTOMER).exists()
        reason = "bad_credentials" if known else "unknown_user"
        _event(request, "signin.failed", method="password", reason=reason, client_type="browser")
        super().authentication_failed(request, **credentials)

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        if getattr(user, "kind", None) != User.Kind.CUSTOMER or not user.is_active:
            _event(
                request,
                "signin.failed",
                user_id=user.pk,
                method="password",
                reason="blocked",
                client_type="browser",
            )
            return render(request, "account/account_inactive.html", status=403)
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        records = get_authentication_records(request, user)
        methods = [r.get("method") for r in records]
        lockout.register_success(user.email or "", _ip(request))
        devices.remember(request, response, user)
        user.last_sign_in_at = timezone.now()
        User.objects.filter(pk=user.pk).update(last_sign_in_at=user.last_sign_in_at)
        primary = METHODS.get(methods[0] if methods else "", "password")
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if kwargs.get("signup") and sociallogin is not None:
            provider = sociallogin.account.provider
            _event(request, "signup.completed", user_id=user.pk, method="federated", idp=provider)
        elif kwargs.get("signup"):
            _event(request, "signup.signed_in", user_id=user.pk, methods=methods)
        else:
            _event(
                request,
                "signin.succeeded",
                user_id=user.pk,
                method=primary,
                client_type="browser",
                methods=methods,
            )
        for record in records[1:]:
            second = MFA_METHODS.get(record.get("method", ""), "")
            if record.get("method") == "mfa":
                second = MFA_METHODS.get(record.get("type", ""), "totp")
            if second:
                _event(request, "mfa.challenge", user_id=user.pk, method=second, result="success")
        return response

    def is_login_by_code_required(self, login: Any) -> bool:
        """The flow's MFA policy for customers without an authenticator app: an email
        one-time code as second factor (always, or only for risky sign-ins)."""
        from .models import UserFlow

        if login.signup or login.user is None:
            return False
        records = get_authentication_records(self.request, login.user)
        if records and records[-1].get("method") in ("code", "socialaccount"):
            return False
        if Authenticator.objects.filter(user=login.user, type=Authenticator.Type.TOTP).exists():
            return False  # the TOTP challenge (allauth.mfa) applies instead
        policy = context.get_flow(self.request).mfa_policy
        if policy == UserFlow.MFAPolicy.ALWAYS:
            return True
        if policy == UserFlow.MFAPolicy.RISKY:
            return devices.is_risky(self.request, login.user)
        return False

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        stages.append("userflows.stages.CollectAttributesStage")
        return stages


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_requests_session(self):
        """Every call allauth makes to an identity provider (discovery, token, userinfo,
        JWKS) goes through ciam.outbound: https only, public addresses only (the checked
        address pinned for the connection), no redirects, size-capped answers."""
        from allauth.socialaccount import app_settings

        from ciam import outbound

        return outbound.session(timeout=app_settings.REQUESTS_TIMEOUT)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return context.get_flow(request).signup_enabled

    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None):
        """The tenant's identity providers enabled in the current flow, built in memory
        so that client secrets stay encrypted at rest."""
        from .federation import social_apps

        return social_apps(request, provider=provider, client_id=client_id)

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict) -> Any:
        from .federation import mapped_values

        user = super().populate_user(request, sociallogin, data)
        user.kind = User.Kind.CUSTOMER
        for name, value in mapped_values(sociallogin).items():
            setattr(user, name, value)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from allauth.core.exceptions import ImmediateHttpResponse

        user = sociallogin.user
        if sociallogin.is_existing and user.kind != User.Kind.CUSTOMER:
            raise ImmediateHttpResponse(
                render(request, "account/account_inactive.html", status=403)
            )
