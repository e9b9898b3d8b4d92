"""The machine lane: requests of the OAuth/OIDC machine endpoints (token, introspection,
revocation, userinfo, JWKS, discovery) skip the browser middleware.

These endpoints serve programs, not browsers: they never read a session, a CSRF token,
the signed-in user, messages or the language, so running that middleware only costs
time on the busiest path of the platform. The lane is a second Django handler whose
middleware is tenant routing and the security headers; everything else (URL resolving,
views, exception handling) is Django's own."""

from __future__ import annotations

import re
import threading

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponse

MACHINE_PATH_RE = re.compile(
    rf"^(?:/{re.escape(settings.CIAM_TENANT_PATH_PREFIX)}/[^/]+)?"
    # Entra's authority shape: /<tenant-id>/ or /<tenant-id>/v2.0/ (tenants.middleware)
    r"(?:/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"(?:/v2\.0)?)?"
    r"/(?:"
    r"oauth2/v2\.0/(?:token|introspect|revoke|devicecode|par)"
    r"|oidc/userinfo"
    r"|discovery/v2\.0/keys"
    r"|(?:v2\.0/)?\.well-known/openid-configuration"
    r")$"
)

MACHINE_MIDDLEWARE = [
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
]


class _LaneHandler(BaseHandler):
    """A Django handler with its own middleware list."""

    def __init__(self, middleware: list[str]) -> None:
        super().__init__()
        saved = settings.MIDDLEWARE
        # load_middleware reads settings.MIDDLEWARE. This runs once per process (see
        # _lane), under a lock, while the first outer handler builds its chain.
        settings.MIDDLEWARE = middleware
        try:
            self.load_middleware()
        finally:
            settings.MIDDLEWARE = saved


_lane_handler: _LaneHandler | None = None
_lane_lock = threading.Lock()


def _lane() -> _LaneHandler:
    """The process's one lane handler (test clients build many outer handlers)."""
    global _lane_handler
    with _lane_lock:
        if _lane_handler is None:
            _lane_handler = _LaneHandler(MACHINE_MIDDLEWARE)
        return _lane_handler


class MachineLaneMiddleware:
    """Placed first: machine endpoint requests go down the lane, the rest go on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.lane = _lane()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if MACHINE_PATH_RE.match(request.path_info):
            return self.lane.get_response(request)
        return self.get_response(request)
