"""Resolved branding: what the customer pages of one tenant show in one language,
computed once per (tenant, language, branding generation) and kept in process memory.

Fallback order for every text: the language customisation, then the default branding,
then the built-in translation (applied by the templates, `{% trans %}`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.urls import reverse

from ciam import generations

from . import validation
from .models import Branding, LanguageCustomization, Layout
from .services import TEXT_FIELDS, scope

BUILTIN_LANGUAGES = dict(settings.LANGUAGES)
_cache = generations.Cache(max_entries=20000)


@dataclass(frozen=True)
class TenantLanguages:
    default: str
    # canonical tag -> display name, built-in languages and the tenant's own
    available: dict[str, str]

    def match(self, tag: str) -> str | None:
        """The available language for a requested tag (exact, then its primary subtag)."""
        lowered = {k.lower(): k for k in self.available}
        tag = tag.strip().lower()
        if tag in lowered:
            return lowered[tag]
        primary = tag.split("-")[0]
        return lowered.get(primary)


@dataclass(frozen=True)
class ResolvedBranding:
    language: str
    layout: str
    show_header: bool
    show_footer: bool
    texts: dict[str, str]
    footer_links: list[tuple[str, str, str]]  # (key, url, text or "")
    favicon_url: str
    banner_logo_url: str
    square_logo_url: str
    square_logo_dark_url: str
    background_image_url: str
    theme_url: str
    theme_css: str
    button_color: str
    link_color: str
    sender_name: str
    strings: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    emails: dict[str, dict[str, str]] = field(default_factory=dict)
    languages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def full_screen(self) -> bool:
        return self.layout == Layout.FULL_SCREEN

    def attribute_text(self, name: str, part: str, default: Any) -> Any:
        return self.attributes.get(name, {}).get(part) or default

    def email_text(self, kind: str, part: str) -> str:
        return self.emails.get(kind, {}).get(part, "")


def asset_url(name: str) -> str:
    """URL of a stored branding image: served by our view (long-lived, hashed name) for
    local storage, or the storage's own URL (an S3 bucket, a CDN)."""
    if not name:
        return ""
    if isinstance(default_storage, FileSystemStorage):
        return reverse("branding_asset", kwargs={"name": name.rsplit("/", 1)[-1]})
    return default_storage.url(name)


def theme_css(branding: Branding) -> str:
    """The stylesheet of the tenant's colours and layout (custom properties), followed by
    the admin's custom CSS (validated on save)."""
    bg_image = asset_url(branding.background_image)
    button = branding.button_color
    lines = [
        ":root{",
        f"--brand:{button};--brand-ink:{validation.ink_for(button)};",
        f"--link:{branding.link_color};--page-bg:{branding.background_color};",
        f"--page-bg-ink:{validation.ink_for(branding.background_color)};",
        f"--page-bg-image:{f'url({bg_image})' if bg_image else 'none'};",
        "}",
    ]
    css = "".join(lines)
    if branding.custom_css:
        css += "\n/* custom CSS */\n" + branding.custom_css
    return css


def _languages() -> TenantLanguages:
    branding = Branding.objects.first()
    available = dict(BUILTIN_LANGUAGES)
    for tag in LanguageCustomization.objects.values_list("language", flat=True):
        if tag.lower() not in {k.lower() for k in available}:
            available[tag] = _display_name(tag)
    default = branding.default_language if branding else settings.LANGUAGE_CODE
    return TenantLanguages(default=default, available=available)


def _display_name(tag: str) -> str:
    from django.utils.translation import get_language_info

    try:
        return get_language_info(tag.lower())["name_local"]
    except KeyError:
        try:
            return get_language_info(tag.split("-")[0].lower())["name_local"] + f" ({tag})"
        except KeyError:
            return tag


def tenant_languages() -> TenantLanguages:
    return _cache.get(scope(), "__languages__", _languages)


def build(
    branding: Branding,
    custom: LanguageCustomization | None,
    language: str,
    languages: list[tuple[str, str]],
) -> ResolvedBranding:
    """Apply a language customisation over the default branding (no database access)."""
    overrides = (custom.texts if custom else {}) or {}
    texts = {f: overrides.get(f) or getattr(branding, f) or "" for f in TEXT_FIELDS}
    links = [
        ("privacy", branding.privacy_url, texts["privacy_text"]),
        ("terms", branding.terms_url, texts["terms_text"]),
        ("troubleshooting", branding.troubleshooting_url, texts["troubleshooting_text"]),
    ]
    css = theme_css(branding)
    digest = hashlib.sha256(css.encode()).hexdigest()[:16]
    return ResolvedBranding(
        language=language,
        layout=branding.layout,
        show_header=branding.show_header,
        show_footer=branding.show_footer,
        texts=texts,
        footer_links=[link for link in links if link[1]],
        favicon_url=asset_url(branding.favicon),
        banner_logo_url=asset_url(branding.banner_logo),
        square_logo_url=asset_url(branding.square_logo),
        square_logo_dark_url=asset_url(branding.square_logo_dark),
        background_image_url=asset_url(branding.background_image),
        theme_url=reverse("branding_theme", kwargs={"digest": digest}),
        theme_css=css,
        button_color=branding.button_color,
        link_color=branding.link_color,
        sender_name=branding.sender_name,
        strings=dict((custom.strings if custom else {}) or {}),
        attributes=dict((custom.attributes if custom else {}) or {}),
        emails=dict((custom.emails if custom else {}) or {}),
        languages=languages,
    )


def _load(language: str) -> ResolvedBranding:
    branding = Branding.objects.first() or Branding()
    custom = LanguageCustomization.objects.filter(language__iexact=language).first()
    languages = sorted(tenant_languages().available.items(), key=lambda kv: kv[0])
    return build(branding, custom, language, languages)


def resolve(language: str) -> ResolvedBranding:
    """The current tenant's branding in `language`, from the process cache.

    The theme URL embeds the script prefix (/t/<name>/), so the cache key includes it."""
    from django.urls import get_script_prefix

    key = (language.lower(), get_script_prefix())
    return _cache.get(scope(), key, lambda: _load(language))


def schema() -> str:
    return connection.schema_name


def attribute_text(name: str, part: str, default: Any) -> Any:
    """The label or help text of a custom attribute in the active language: the tenant's
    language customisation, else `default` (the attribute's own text)."""
    from django.utils import translation

    language = translation.get_language() or settings.LANGUAGE_CODE
    return resolve(language).attribute_text(name, part, default)
