"""Language of the customer pages: `ui_locales` of the authorize request (stored in the
browser's journey, OIDC Core 3.1.2.1) wins over Accept-Language, which LocaleMiddleware
applied."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ciam.tenancy import is_tenant_request

from .journey import store

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def pick_language(ui_locales: list[str]) -> str | None:
    for tag in ui_locales:
        tag = tag.lower()
        for candidate in (tag, tag.split("-")[0]):
            if candidate in SUPPORTED:
                return candidate
    return None


def ui_locales_of(request: HttpRequest) -> list[str]:
    """ui_locales of the authorize request this page serves (registered with branding,
    which makes the final language choice)."""
    if "/account/" not in request.path or not hasattr(request, "session"):
        return []
    journey = store.of_session(request)
    return list(journey.ui_locales) if journey is not None else []


class UILocalesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "/account/" in request.path and hasattr(request, "session"):
            journey = store.of_session(request)
            language = pick_language(journey.ui_locales) if journey is not None else None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A customer signed in with a temporary password (set by an admin) must choose a new
    one before anything else: every other page of the tenant, the authorize endpoint
    included, sends them to the change-password page."""

    ALLOWED = ("account_change_password", "account_logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and is_tenant_request(request)
            and not request.path_info.startswith(settings.STATIC_URL)
        ):
            from django.shortcuts import redirect
            from django.urls import reverse
            from django.utils.http import urlencode

            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed:
                target = reverse("account_change_password")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
