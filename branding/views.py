"""Customer-facing branding endpoints: the tenant's theme stylesheet, its images, and the
language switcher of the page footer."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from . import language, resolve
from .validation import CONTENT_TYPES

YEAR = 365 * 24 * 3600


@require_GET
def theme(request: HttpRequest, digest: str) -> HttpResponse:
    branding = getattr(request, "branding", None) or resolve.resolve(settings.LANGUAGE_CODE)
    css = branding.theme_css
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    current = hashlib.sha256(css.encode()).hexdigest()[:16]
    # The URL names the content: a stale digest gets today's CSS but is not kept long.
    response["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if digest == current else "public, max-age=60"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """A stored branding image of this tenant (content-hashed name, cached for a year)."""
    if "/" in name or name.startswith("."):
        raise Http404
    extension = name.rsplit(".", 1)[-1].lower()
    if extension not in CONTENT_TYPES:
        raise Http404
    path = f"branding/{connection.schema_name}/{name}"
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """The footer's language switcher: remember the choice in a cookie and go back.

    A GET form, so that it works on every page without JavaScript and never competes
    with the page's own POST form; it changes nothing but a display preference."""
    languages = resolve.tenant_languages()
    params = request.POST if request.method == "POST" else request.GET
    chosen = languages.match(params.get("language", ""))
    target = params.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("account_login")
    response = HttpResponseRedirect(target)
    if chosen:
        response.set_cookie(
            language.COOKIE,
            chosen,
            max_age=language.COOKIE_MAX_AGE,
            path=(getattr(request, "tenant_path_prefix", "") or "") + "/",
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response
