"""`{% mail_context "login_code" %}`: branding of an email (allauth renders its email
templates itself, so they pull the branding here rather than from the caller)."""

from __future__ import annotations

from typing import Any

from django import template

from branding import emails

register = template.Library()


@register.simple_tag(takes_context=True)
def mail_context(context: template.Context, kind: str) -> dict[str, Any]:
    return emails.email_context(context.get("request"), kind)
