"""The one email-address rule of the platform, used by sign-up, the admin center, the
management API, SCIM and bulk import.

What it accepts, deliberately: the syntax Django's EmailValidator accepts (a dot-atom or
quoted local part; a domain name with at least one dot, or `localhost`, international
domain names through IDNA; an IP-literal domain), at most 254 characters (RFC 5321's
path limit, and the column's size), compared and stored lower-cased and trimmed. It does
not judge deliverability: special-use and reserved domains (`corp.test`, `example.com`,
`.local`) are accepted, because one-time codes, not the syntax, prove that an address is
reachable, and a directory synchronised from an enterprise (SCIM) holds such addresses.

Reads never apply the rule: whatever a row holds is shown as it is (a stored address that
an older rule let in must not break a listing)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

MAX_LENGTH = 254
_validator = EmailValidator(message="Enter a valid email address.")


def clean_email(value: object) -> str:
    """The normalised address, or ValidationError when `value` is not one."""
    email = str(value or "").strip().lower() if isinstance(value, str) else ""
    if not email or len(email) > MAX_LENGTH:
        raise ValidationError("Enter a valid email address.", code="invalid")
    _validator(email)
    return email


def normalize_email(value: object) -> str:
    """The normalised address, or '' when `value` is not one."""
    try:
        return clean_email(value)
    except ValidationError:
        return ""


def validate_email(value: object) -> None:
    """A validator for form and serializer fields."""
    clean_email(value)


class EmailFormField(forms.EmailField):
    """The form field of every page that takes an address (sign-up, admin center)."""

    default_validators = [validate_email]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(**kwargs)
