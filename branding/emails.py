"""Branded customer emails: the tenant's logo, colours, sender name and language texts
in an HTML part with a plain-text alternative.

allauth's emails (sign-in and MFA codes, password reset) render our templates through
its adapter; `send` renders and sends the emails allauth does not have (welcome,
account deleted)."""

from __future__ import annotations

import logging
import smtplib
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from . import resolve

logger = logging.getLogger(__name__)


def current(request: HttpRequest | None) -> resolve.ResolvedBranding:
    branding = getattr(request, "branding", None) if request is not None else None
    return branding or resolve.resolve(translation.get_language() or settings.LANGUAGE_CODE)


def from_email(request: HttpRequest | None = None) -> str:
    """DEFAULT_FROM_EMAIL's address under the tenant's sender name (or display name)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    tenant = getattr(connection, "tenant", None)
    try:
        sender = current(request).sender_name
    except Exception:
        sender = ""
    sender = sender or getattr(tenant, "display_name", "") or name
    return formataddr((sender, address)) if sender else address


def email_context(request: HttpRequest | None, kind: str) -> dict[str, Any]:
    """What the email templates need: texts of `kind` in the active language, the logo as
    an absolute URL, the colours, the tenant's name."""
    branding = current(request)
    logo = branding.banner_logo_url or branding.square_logo_url
    if logo and request is not None and not logo.startswith(("http://", "https://")):
        logo = request.build_absolute_uri(logo)
    elif logo and not logo.startswith(("http://", "https://")):
        logo = ""
    tenant = getattr(connection, "tenant", None)
    return {
        "mail_kind": kind,
        "mail_intro": branding.email_text(kind, "intro"),
        "mail_subject": branding.email_text(kind, "subject"),
        "mail_logo": logo,
        "mail_button": branding.button_color,
        "mail_button_ink": _ink(branding.button_color),
        "mail_link": branding.link_color,
        "mail_tenant": getattr(tenant, "display_name", "") or "",
        "mail_language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def _ink(color: str) -> str:
    from .validation import ink_for

    return ink_for(color)


def send(kind: str, to: str, request: HttpRequest | None, context: dict[str, Any]) -> None:
    """Render branding/email/<kind>_{subject.txt,message.txt,message.html} and send it.
    A mail failure is logged, never raised (the customer's action already happened)."""
    mail = email_context(request, kind)
    ctx = {**context, **mail, "mail": mail}
    subject = " ".join(render_to_string(f"branding/email/{kind}_subject.txt", ctx, request).split())
    text = render_to_string(f"branding/email/{kind}_message.txt", ctx, request).strip()
    html = render_to_string(f"branding/email/{kind}_message.html", ctx, request)
    message = EmailMultiAlternatives(subject, text, from_email(request), [to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the %s email", kind)
