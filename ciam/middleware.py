"""Liveness and readiness answer on every host, before tenant routing."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse


def _json(payload: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


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
