"""Cross-origin rules of the browser-facing endpoints beyond the token endpoint (whose CORS
DOT answers from each app's `allowed_origins`): the UserInfo endpoint (OIDC Core §5.3)
answers the origins that the tenant's apps registered (SPA redirect URIs' origins), and
its errors follow RFC 6750 §3: no error code when no token was sent, JSON bodies as
application/json."""

from __future__ import annotations

import json
import re

from django.http import HttpRequest, HttpResponse

from .models import Application


def registered_origin(request: HttpRequest) -> str:
    origin = request.headers.get("Origin", "")
    if not origin:
        return ""
    for row in Application.objects.exclude(allowed_origins="").values_list(
        "allowed_origins", flat=True
    ):
        if origin in row.split():
            return origin
    return ""


def preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    origin = registered_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST"
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def userinfo(request: HttpRequest, response: HttpResponse, sent_token: bool) -> HttpResponse:
    if not sent_token and response.status_code in (400, 401, 403):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="userinfo"'
    elif response.status_code >= 400:
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            found = re.search(r'error="([^"]+)"', response.get("WWW-Authenticate", ""))
            body = {"error": found.group(1) if found else "invalid_request"}
            response.content = json.dumps(body).encode()
        response["Content-Type"] = "application/json"
    origin = registered_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "WWW-Authenticate"
        response["Vary"] = "Origin"
    return response
