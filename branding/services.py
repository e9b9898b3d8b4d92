"""Company branding services: read and change the tenant's default branding and its
language customisations. Every change is validated as a whole (nothing is written when a
field is refused), audited, and invalidates the resolved-branding caches."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import HttpRequest

from ciam import generations
from directory import audit

from . import validation
from .models import Branding, LanguageCustomization, Layout

TEXT_FIELDS = (
    "sign_in_text",
    "username_hint",
    "sspr_link_text",
    "privacy_text",
    "terms_text",
    "troubleshooting_text",
)
LINK_FIELDS = ("privacy_url", "terms_url", "troubleshooting_url")
COLOR_FIELDS = ("background_color", "button_color", "link_color")
TEXT_LIMITS = {
    "sign_in_text": 1024,
    "username_hint": 64,
    "sspr_link_text": 64,
    "privacy_text": 100,
    "terms_text": 100,
    "troubleshooting_text": 100,
    "sender_name": 100,
}
# login_code is both the sign-in code and the MFA email code (one allauth email).
EMAIL_KINDS = ("login_code", "signup_code", "password_reset", "welcome", "account_deleted")
EMAIL_PARTS = ("subject", "intro")
SETTABLE = (
    *TEXT_FIELDS,
    *LINK_FIELDS,
    *COLOR_FIELDS,
    "layout",
    "show_header",
    "show_footer",
    "custom_css",
    "default_language",
    "sender_name",
)


def scope() -> str:
    """Generation scope of the current tenant's branding."""
    return f"{connection.schema_name}:branding"


def _changed() -> None:
    generations.bump(scope())


def get_branding() -> Branding:
    branding = Branding.objects.first()
    if branding is None:
        branding, _ = Branding.objects.get_or_create(singleton=True)
    return branding


def asset_name(field: str, image: validation.CleanImage) -> str:
    """Content-hashed storage name: a changed image gets a new name (and URL)."""
    return f"branding/{connection.schema_name}/{field}-{image.digest}.{image.extension}"


def _store(name: str, data: bytes) -> str:
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        return saved
    return name


def clean_branding_data(data: dict[str, Any], files: dict[str, Any]) -> tuple[dict, dict]:
    """Validate a (partial) change: returns (values, images) or raises a ValidationError
    whose dict names every refused field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    images: dict[str, validation.CleanImage | None] = {}

    def check(field: str, fn) -> None:
        try:
            values[field] = fn(data[field])
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    for field in SETTABLE:
        if field not in data:
            continue
        if field in LINK_FIELDS:
            check(field, validation.clean_link)
        elif field == "link_color":
            check(field, validation.clean_link_color)
        elif field in COLOR_FIELDS:
            check(field, validation.clean_color)
        elif field == "custom_css":
            check(field, validation.clean_css)
        elif field == "default_language":
            check(field, validation.clean_language)
        elif field == "layout":
            check(field, lambda v: _choice(v, Layout.values))
        elif field in ("show_header", "show_footer"):
            values[field] = _bool(data[field])
        else:
            check(field, lambda v, f=field: _text(v, TEXT_LIMITS[f]))
    for field in validation.IMAGE_FIELDS:
        upload = files.get(field)
        if upload:
            try:
                images[field] = validation.clean_image(field, upload)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
        elif _bool(data.get(f"{field}_clear", False)):
            images[field] = None
    if errors:
        raise ValidationError(errors)
    return values, images


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes"}
    return bool(value)


def _choice(value: Any, allowed: list[str]) -> str:
    if value not in allowed:
        raise ValidationError(f"Choose one of: {', '.join(allowed)}.")
    return value


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise ValidationError("Enter text.")
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(f"At most {limit} characters.")
    return value


def update_branding(
    *,
    data: dict[str, Any],
    files: dict[str, Any] | None = None,
    actor: Any,
    request: HttpRequest | None = None,
) -> Branding:
    """Change the default branding. `data` holds any subset of SETTABLE fields (and
    `<image>_clear` flags); `files` uploaded images. All or nothing."""
    values, images = clean_branding_data(data, files or {})
    with transaction.atomic():
        branding = Branding.objects.select_for_update().filter(singleton=True).first()
        if branding is None:
            branding = get_branding()
        before = audit.snapshot(branding)
        for field, value in values.items():
            setattr(branding, field, value)
        for field, image in images.items():
            setattr(branding, field, _store(asset_name(field, image), image.data) if image else "")
        branding.save()
        audit.record(
            action="branding.update",
            actor=actor,
            request=request,
            target=branding,
            before=before,
            after=audit.snapshot(branding),
        )
        _changed()
    return branding


def clean_language_data(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    texts = data.get("texts") or {}
    if not isinstance(texts, dict):
        errors["texts"] = ["Expected an object of texts."]
    else:
        clean_texts = {}
        for key, value in texts.items():
            if key not in TEXT_FIELDS:
                errors.setdefault(f"texts.{key}", []).append("Not a text of the branding.")
                continue
            try:
                if value:
                    clean_texts[key] = _text(value, TEXT_LIMITS[key])
            except ValidationError as exc:
                errors.setdefault(f"texts.{key}", []).extend(exc.messages)
        out["texts"] = clean_texts
    strings = data.get("strings") or {}
    if not isinstance(strings, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in strings.items()
    ):
        errors["strings"] = ["Expected an object of built-in text → text."]
    elif len(strings) > 2000 or any(len(v) > 2000 for v in strings.values()):
        errors["strings"] = ["Too many or too long strings (2000 at most)."]
    else:
        out["strings"] = {k: v for k, v in strings.items() if k and v}
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(v, dict) and set(v) <= {"label", "help_text"} for v in attributes.values()
    ):
        errors["attributes"] = ['Expected {"attribute": {"label": …, "help_text": …}}.']
    else:
        out["attributes"] = {
            k: {p: _text(str(t), 256) for p, t in v.items() if t} for k, v in attributes.items()
        }
    emails = data.get("emails") or {}
    if not isinstance(emails, dict) or not all(
        k in EMAIL_KINDS and isinstance(v, dict) and set(v) <= set(EMAIL_PARTS)
        for k, v in emails.items()
    ):
        errors["emails"] = [
            f"Expected {{kind: {{subject, intro}}}} with kind one of {', '.join(EMAIL_KINDS)}."
        ]
    else:
        out["emails"] = {
            k: {p: _text(str(t), 1000) for p, t in v.items() if t} for k, v in emails.items()
        }
    if errors:
        raise ValidationError(errors)
    return out


def save_language_customization(
    *,
    language: str,
    data: dict[str, Any],
    actor: Any,
    request: HttpRequest | None = None,
) -> LanguageCustomization:
    """Create or replace the customisation of `language` (a BCP 47 tag)."""
    try:
        tag = validation.clean_language(language)
    except ValidationError as exc:
        raise ValidationError({"language": exc.messages}) from None
    values = clean_language_data(data)
    with transaction.atomic():
        custom = LanguageCustomization.objects.filter(language__iexact=tag).first()
        before = audit.snapshot(custom)
        if custom is None:
            custom = LanguageCustomization(language=tag)
        for field, value in values.items():
            setattr(custom, field, value)
        custom.save()
        audit.record(
            action="branding.language.save",
            actor=actor,
            request=request,
            target=custom,
            before=before,
            after=audit.snapshot(custom),
        )
        _changed()
    return custom


def delete_language_customization(
    *, language: str, actor: Any, request: HttpRequest | None = None
) -> bool:
    with transaction.atomic():
        custom = LanguageCustomization.objects.filter(language__iexact=language).first()
        if custom is None:
            return False
        before = audit.snapshot(custom)
        audit.record(
            action="branding.language.delete",
            actor=actor,
            request=request,
            target=custom,
            before=before,
        )
        custom.delete()
        _changed()
    return True
