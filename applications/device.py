"""The device authorization grant (RFC 8628), Entra's `/oauth2/v2.0/devicecode`.

A device (a TV, a CLI) asks for a code pair; the user opens the verification page on
another device, signs in, enters the user code and approves; meanwhile the device polls
the token endpoint with the device code. Pending requests live in Redis (they are short
lived and single-use), keyed by the tenant's schema and the SHA-256 of the device code;
the user code points at them. Neither code is stored in clear.

Limits: a request lives `EXPIRES_IN` seconds; a device polling faster than its interval
gets `slow_down` and its interval grows by 5 s (§3.5); the verification page refuses
after `USER_CODE_ATTEMPTS` wrong user codes per client address and tenant within the
request lifetime (user codes are 8 letters of a 20-letter alphabet, 2.56e10 values, so
guessing one under that limit is hopeless)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from ciam.schemas import current_schema

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
EXPIRES_IN = 900
INTERVAL = 5
SLOW_DOWN_STEP = 5
USER_CODE_ATTEMPTS = 10
# RFC 8628 §6.1: no vowels (no words), no look-alike characters.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


@dataclass
class DeviceError(Exception):
    error: str
    description: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _request_key(device_digest: str) -> str:
    return f"device:{current_schema()}:{device_digest}"


def _user_code_key(user_code: str) -> str:
    return f"device-user-code:{current_schema()}:{user_code}"


def normalize_user_code(value: str) -> str:
    return "".join(c for c in (value or "").upper() if c in USER_CODE_ALPHABET)[:8]


def start(client_id: str, scopes: list[str], interval: int = INTERVAL) -> dict[str, Any]:
    """A new device authorization request: its device code, user code and state."""
    device_code = secrets.token_urlsafe(32)
    user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    digest = _digest(device_code)
    now = time.time()
    state = {
        "client_id": client_id,
        "scopes": scopes,
        "status": "pending",
        "user_id": None,
        "auth_time": None,
        "expires_at": now + EXPIRES_IN,
        "interval": interval,
        "last_poll": 0.0,
    }
    # Kept a little past expiry so that a late poll hears expired_token, not invalid_grant.
    cache.set(_request_key(digest), state, EXPIRES_IN + 300)
    cache.set(_user_code_key(user_code), digest, EXPIRES_IN)
    return {"device_code": device_code, "user_code": f"{user_code[:4]}-{user_code[4:]}", **state}


def pending_request(user_code: str) -> tuple[str, dict[str, Any]] | None:
    """(device digest, state) of a live, still pending request with this user code."""
    code = normalize_user_code(user_code)
    if len(code) != 8:
        return None
    digest = cache.get(_user_code_key(code))
    state = cache.get(_request_key(digest)) if digest else None
    if state is None or state["status"] != "pending" or state["expires_at"] <= time.time():
        return None
    return digest, state


def _attempts_key(client_address: str) -> str:
    return f"device-attempts:{current_schema()}:{client_address}"


def attempts_exceeded(client_address: str) -> bool:
    """Has this address entered too many wrong user codes lately?"""
    return int(cache.get(_attempts_key(client_address)) or 0) >= USER_CODE_ATTEMPTS


def record_wrong_attempt(client_address: str) -> None:
    key = _attempts_key(client_address)
    cache.add(key, 0, EXPIRES_IN)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, EXPIRES_IN)


def decide(user_code: str, user: Any, approve: bool) -> bool:
    """The signed-in user approves (or denies) the request; False when it is gone."""
    found = pending_request(user_code)
    if found is None:
        return False
    digest, state = found
    state["status"] = "approved" if approve else "denied"
    if approve:
        state["user_id"] = str(user.pk)
        last_login = getattr(user, "last_login", None)
        state["auth_time"] = int(last_login.timestamp()) if last_login else int(time.time())
    cache.set(_request_key(digest), state, EXPIRES_IN + 300)
    cache.delete(_user_code_key(normalize_user_code(user_code)))
    return True


def poll(client_id: str, device_code: str) -> dict[str, Any]:
    """The state of an approved request for this client (consumed: single use), or a
    DeviceError in RFC 8628 §3.5 terms."""
    if not device_code or "\x00" in device_code:
        raise DeviceError("invalid_grant", "Unknown device code.")
    key = _request_key(_digest(device_code))
    state = cache.get(key)
    if state is None or state["client_id"] != client_id:
        raise DeviceError("invalid_grant", "Unknown device code.")
    now = time.time()
    if state["expires_at"] <= now:
        cache.delete(key)
        raise DeviceError("expired_token", "The device code has expired.")
    if state["status"] == "denied":
        cache.delete(key)
        raise DeviceError("access_denied", "The user denied the request.")
    if state["status"] == "approved":
        if cache.delete(key):  # only one poll gets the tokens
            return state
        raise DeviceError("invalid_grant", "The device code was already used.")
    too_fast = now - state["last_poll"] < state["interval"]
    state["last_poll"] = now
    if too_fast:
        state["interval"] += SLOW_DOWN_STEP
    cache.set(key, state, max(int(state["expires_at"] - now) + 300, 1))
    if too_fast:
        raise DeviceError("slow_down", f"Poll at most every {state['interval']} seconds.")
    raise DeviceError("authorization_pending", "The user has not approved the request yet.")
