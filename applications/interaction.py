"""When /oauth2/v2.0/authorize needs the customer (sign-in, sign-up, re-authentication),
it hands the validated request to the journey engine through this interface.

`userflows` sits above `applications` in DESIGN.md's import order: it registers its
starter in AppConfig.ready. The starter stores the request once, in a new journey bound to
the browser's session; the pages then read it from there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Parameters of a validated authorize request that a journey keeps (strings only).
KEPT = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "ui_locales",
    "login_hint",
    "claims",
)

_starter: Callable[[Any, dict[str, str]], None] | None = None


def register(starter: Callable[[Any, dict[str, str]], None]) -> None:
    global _starter
    _starter = starter


def start(request: Any, authorize: dict[str, str]) -> None:
    """Start a journey for `authorize` (the validated request plus `return_url`, the
    address that resumes it once the customer is signed in)."""
    if _starter is not None:
        _starter(request, authorize)


# -- the native authentication API's grants at /oauth2/v2.0/token and its continuation
# tokens at /oauth2/v2.0/introspect, answered by the journey engine (userflows).
NATIVE_GRANT_TYPES = ("password", "oob", "continuation_token")
_native: dict[str, Callable[[Any], Any]] = {}


def register_native(token: Callable[[Any], Any], introspect: Callable[[Any], Any]) -> None:
    _native["token"] = token
    _native["introspect"] = introspect


def native_handler(name: str) -> Callable[[Any], Any] | None:
    return _native.get(name)
