"""Liveness and readiness answer on every host, before tenant routing."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse


def _json(payload: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


UNAVAILABLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable</title></head><body><main>
<h1>We'll be right back</h1>
<p>This service is briefly unavailable. Please try again in a minute.</p>
</main></body></html>"""


def shared_state_unavailable(request: HttpRequest) -> HttpResponse:
    """503 when Redis (sessions, rate limits, configuration generations) does not answer:
    a friendly page, or a JSON error on machine paths, with Retry-After. Connections have
    short timeouts (ciam/infra.py), so this comes within a second, not after a hang.
    Nothing is half-written: the request's transaction rolled back with the exception."""
    if "text/html" in request.headers.get("Accept", ""):
        response = HttpResponse(UNAVAILABLE_PAGE, status=503)
    else:
        response = _json(
            {
                "error": "temporarily_unavailable",
                "error_description": "The service is briefly unavailable; retry.",
            },
            503,
        )
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return _json({"status": "ok"})
        if request.path_info == "/readyz":
            from .health import readiness

            checks = readiness()
            ok = all(c == "ok" for c in checks.values())
            return _json(
                {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503
            )
        return self.get_response(request)
