""" "Claims for this token": the interface through which a higher app adds claims to the
tokens the identity server issues (OnTokenIssuanceStart custom authentication
extensions). `applications` sits below `extensions` in DESIGN.md's import order, so it
defines this interface and `extensions` registers one provider in its AppConfig.ready:

    from applications import token_claims
    token_claims.register(my_provider)

The token endpoint calls `collect(ctx)` once per issuance (authorization code, refresh,
native authentication, and client credentials when an extension asks for it) and merges
the answer into the ID and access tokens, for the claims the app's claims mapping names.
With no provider registered, `collect` costs one attribute read: the zero-query
client-credentials path stays as it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TokenIssuanceContext:
    tenant_id: str
    issuer: str
    client_id: str  # the app the token is issued to
    grant_type: str  # authorization_code, refresh_token, client_credentials, password, ...
    scopes: tuple[str, ...]
    user_id: str | None = None  # None for app-only tokens
    resource_app_id: str = ""  # the API the access token is for, when not the app itself
    client_ip: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. risk level, journey id


Provider = Callable[[TokenIssuanceContext], dict[str, Any]]

_provider: Provider | None = None


def register(new: Provider | None) -> None:
    """Install (or with None remove) the provider; one per process."""
    global _provider
    _provider = new


def has_provider() -> bool:
    return _provider is not None


def collect(ctx: TokenIssuanceContext) -> dict[str, Any]:
    """Claims to add to this token, from the registered provider; {} when none. A
    provider that fails and is configured to fail issuance raises TokenIssuanceRefused."""
    if _provider is None:
        return {}
    return _provider(ctx)


class TokenIssuanceRefused(Exception):
    """Raised by a provider whose extension failed and is configured to fail issuance;
    the token endpoint answers an RFC 6749 error (`access_denied`) with `message`."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
