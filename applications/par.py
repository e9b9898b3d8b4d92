"""Pushed Authorization Requests (RFC 9126).

A client POSTs its authorization request to the PAR endpoint (authenticated like at the
token endpoint) and gets a `request_uri` to send to /authorize with its `client_id`.
Stored in Redis under the tenant's schema for `LIFETIME` seconds; it may be used again
within that time (RFC 9126 §4 allows it, and the sign-in page sends the browser back to
the same authorize URL after signing in). An app with "require PAR" accepts no other
authorization request."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache

from ciam.schemas import current_schema

PREFIX = "urn:ietf:params:oauth:request_uri:"
LIFETIME = 300
# Never pushed along: credentials, and request_uri itself (§2.1).
NOT_PUSHED = {"client_secret", "client_assertion", "client_assertion_type", "request_uri"}


def _key(reference: str) -> str:
    return f"par:{current_schema()}:{reference}"


def push(client_id: str, params: dict[str, str]) -> str:
    reference = secrets.token_urlsafe(32)
    stored = {k: v for k, v in params.items() if k not in NOT_PUSHED}
    stored["client_id"] = client_id
    cache.set(_key(reference), stored, LIFETIME)
    return PREFIX + reference


def resolve(request_uri: str, client_id: str) -> dict[str, Any] | None:
    """The pushed parameters of `request_uri`, when it is live and was pushed by
    `client_id`."""
    if not request_uri.startswith(PREFIX) or "\x00" in request_uri:
        return None
    stored = cache.get(_key(request_uri[len(PREFIX) :]))
    if stored is None or stored.get("client_id") != client_id:
        return None
    return stored
