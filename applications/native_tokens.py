"""Tokens for a customer the journey engine signed in through the native authentication
API. They are made by the identity server exactly as for the pages: a one-time
authorization code (PKCE-bound, never leaving the process) is exchanged through the same
oauthlib token endpoint, so claims, amr, lifetimes and refresh tokens are the same."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from oauth2_provider.views.mixins import OAuthLibMixin

from . import tokens
from .models import Application, Grant
from .validator import code_digest

NATIVE_REDIRECT_URI = "urn:ciam:native-authentication"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def issue(request: Any, app: Application, user: Any, scope: str) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) of the token answer for `user` signed in to `app` now."""
    code = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    now = timezone.now()
    Grant.objects.create(
        application=app,
        user=user,
        code=code_digest(code),
        expires=now + timedelta(seconds=60),
        redirect_uri=NATIVE_REDIRECT_URI,
        scope=scope,
        code_challenge=_b64url(hashlib.sha256(verifier.encode()).digest()),
        code_challenge_method="S256",
        nonce="",
        claims="",
        auth_time=now,
    )
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": NATIVE_REDIRECT_URI,
            "client_id": app.client_id,
            "code_verifier": verifier,
        }
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        tokens.BASE_URL_HEADER: getattr(request, "tenant_base_url", ""),
        tokens.USER_HEADER: "",
    }
    core = OAuthLibMixin.get_oauthlib_core()
    _headers, answer, status = core.server.create_token_response(
        request.build_absolute_uri(), "POST", body, headers, None
    )
    data = json.loads(answer or "{}")
    if status == 200:
        info = {"uid": str(user.pk), "utid": tokens.tenant_id()}
        data["client_info"] = _b64url(json.dumps(info, separators=(",", ":")).encode())
    return status, data
