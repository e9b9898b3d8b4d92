"""The oauthlib server and the DOT backend of the identity server."""

from __future__ import annotations

import secrets
from typing import Any

from oauth2_provider.oauth2_backends import OAuthLibCore
from oauthlib.openid import Server as OpenIDServer

from .tokens import BASE_URL_HEADER, USER_HEADER, access_token_generator


def _expires_in(request: Any) -> int:
    return int(getattr(request.client, "access_token_lifetime", 3600))


def _refresh_token_generator(request: Any) -> str:
    return secrets.token_urlsafe(48)


class TenantServer(OpenIDServer):
    """oauthlib's OpenID server with per-app access token lifetimes and JWT access tokens
    (RFC 9068) signed with the tenant's keys."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["token_expires_in"] = _expires_in
        kwargs["token_generator"] = access_token_generator
        kwargs["refresh_token_generator"] = _refresh_token_generator
        super().__init__(request_validator, *args, **kwargs)
        # Only what discovery advertises: no implicit, hybrid, password or device grants.
        self._grant_types: dict[str, Any] = {
            name: handler
            for name, handler in self._grant_types.items()  # type: ignore[has-type]
            if name in {"authorization_code", "refresh_token", "client_credentials"}
        }
        self._response_types: dict[str, Any] = {
            "code": self._response_types["code"]  # type: ignore[has-type]
        }


class TenantOAuthLibCore(OAuthLibCore):
    """Passes the tenant's base URL (the issuer) to the validator in a header that no
    client can set (request.META keys from HTTP headers all start with HTTP_)."""

    def extract_headers(self, request):
        headers = super().extract_headers(request)
        # A DRF Request authenticates lazily on `.user`: read the Django request's own
        # attributes so that bearer authentication never recurses into itself.
        django_request = getattr(request, "_request", request)
        headers[BASE_URL_HEADER] = getattr(django_request, "tenant_base_url", "")
        user = django_request.__dict__.get("user")
        signed_in = user is not None and user.is_authenticated
        headers[USER_HEADER] = str(user.pk) if signed_in else ""
        return headers
