"""Known devices, for the 'risky sign-in' MFA policy: a random device cookie, remembered
per account in Redis after a successful sign-in."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from . import lockout

COOKIE = "ciam_device"
TTL = 60 * 60 * 24 * 180


def _key(user: Any, device: str) -> str:
    return f"device:{user.pk}:{hashlib.sha256(device.encode()).hexdigest()[:32]}"


def is_risky(request: HttpRequest, user: Any) -> bool:
    """A new device for this account, or a burst of recent failures on it."""
    device = request.COOKIES.get(COOKIE, "")
    new_device = not device or not cache.get(_key(user, device))
    return new_device or lockout.recent_failures(user.email or "") >= lockout.RISKY_FAILURES


def remember(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    device = request.COOKIES.get(COOKIE, "")
    if not device:
        device = secrets.token_urlsafe(24)
        response.set_cookie(
            COOKIE, device, max_age=TTL, httponly=True, samesite="Lax", secure=request.is_secure()
        )
    cache.set(_key(user, device), 1, TTL)
