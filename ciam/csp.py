"""One Content-Security-Policy for every page (admin center, portal, customer pages), with
a fresh nonce per request: the inline scripts our templates carry (`nonce="{{ csp_nonce
}}"`: the form_post auto-submit, the import progress poll) and allauth's scripts from
'self' (WebAuthn, recovery codes) run; a script injected into a page does not. No
'unsafe-inline' for scripts. Styles may be inline (attributes cannot carry nonces).
Also Permissions-Policy; Referrer-Policy comes from Django's SecurityMiddleware
(SECURE_REFERRER_POLICY)."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "browsing-topics=(), publickey-credentials-get=(self), publickey-credentials-create=(self)"
)


def policy(nonce: str, frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy(nonce)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


def framed_by_same_origin(view):
    """For a page the admin center shows in an iframe of its own (the branding preview):
    frame-ancestors 'self' instead of 'none', with X-Frame-Options SAMEORIGIN."""
    from functools import wraps

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = policy(
            getattr(request, "csp_nonce", ""), frame_ancestors="'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    return wrapper


def nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: `csp_nonce` for inline <script>/<style> elements."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
