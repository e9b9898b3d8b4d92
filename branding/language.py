"""Which language a customer page speaks, and the tenant's own strings on top of the
built-in translation.

Order: `ui_locales` of the authorize request (read through the source that userflows
registers, since the journey owns that request) → the language the customer picked on
the page (cookie) → Accept-Language → the tenant's default language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import trans_real

from .resolve import TenantLanguages

COOKIE = "ciam_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Callables request -> list of BCP 47 tags (ui_locales), registered by higher apps.
_ui_locales_sources: list[Callable[[HttpRequest], list[str]]] = []


def register_ui_locales_source(source: Callable[[HttpRequest], list[str]]) -> None:
    if source not in _ui_locales_sources:
        _ui_locales_sources.append(source)


def ui_locales(request: HttpRequest) -> list[str]:
    if request.path_info.startswith("/oauth2/v2.0/"):
        # the authorize (consent, error) and logout pages carry the request's own
        return request.GET.get("ui_locales", "").split()
    for source in _ui_locales_sources:
        tags = source(request)
        if tags:
            return tags
    return []


def choose(request: HttpRequest, languages: TenantLanguages) -> str:
    for tag in ui_locales(request):
        found = languages.match(tag)
        if found:
            return found
    picked = request.COOKIES.get(COOKIE)
    if picked:
        found = languages.match(picked)
        if found:
            return found
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, _q in trans_real.parse_accept_lang_header(header):
        if tag == "*":
            break
        found = languages.match(tag)
        if found:
            return found
    return languages.match(languages.default) or languages.default


class OverlayTranslation:
    """The built-in translation of a language with the tenant's strings in front."""

    def __init__(self, base: Any, strings: dict[str, str]) -> None:
        self._base = base
        self._strings = strings

    def gettext(self, message: str) -> str:
        found = self._strings.get(message)
        return found if found is not None else self._base.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self._strings.get(singular if n == 1 else plural)
        return found if found is not None else self._base.ngettext(singular, plural, n)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def activate(language: str, strings: dict[str, str]) -> None:
    """Activate `language` (any tag: one without a built-in catalogue falls back to the
    default language's texts) with the tenant's string overrides on top."""
    translation.activate(language.lower())
    if strings:
        trans_real._active.value = OverlayTranslation(trans_real._active.value, strings)
