"""The oauthlib request validator of the identity server.

It extends django-oauth-toolkit's validator so that every decision reads the current
tenant's rows: client secrets are checked against keyed hashes (not the password hasher),
ID tokens and JWT access tokens are signed with the tenant's keys, bearer JWTs are only
accepted when this tenant's keys verify them, used authorization codes are kept so a
replay revokes what they produced, and grants and scopes follow the app's type."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from django.utils import timezone
from jwcrypto import jws
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_plain,
    code_challenge_method_s256,
)

from insights.services import count_app_token, record_event

from . import cache as app_cache
from . import claims as claims_module
from . import keys, services, tokens
from . import scopes as scopes_module
from .models import AccessToken, Application, AppType, Consent, Grant, IDToken, RefreshToken

log = logging.getLogger(__name__)

DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
ALLOWED_GRANTS = {
    AppType.WEB: {"authorization_code", "refresh_token", "client_credentials", DEVICE_CODE},
    AppType.SPA: {"authorization_code", "refresh_token"},
    AppType.NATIVE: {"authorization_code", "refresh_token", DEVICE_CODE},
    AppType.DAEMON: {"client_credentials"},
    AppType.API: {"client_credentials"},
}

PKCE_METHODS = {"S256": code_challenge_method_s256, "plain": code_challenge_method_plain}


def _left_half_hash(value: str) -> str:
    """at_hash (OIDC Core §3.1.3.6) for SHA-256 based algorithms (RS256, ES256)."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def code_digest(code: Any) -> str:
    """What an authorization code is stored (and looked up) as."""
    return hashlib.sha256(str(code).encode()).hexdigest()


class TenantOAuth2Validator(OAuth2Validator):
    # -- client authentication -------------------------------------------------------
    def _basic_credentials(self, request: Any) -> tuple[str, str] | None:
        auth_string = self._extract_basic_auth(request)
        if not auth_string:
            return None
        try:
            decoded = base64.b64decode(auth_string).decode("utf-8")
            client_id, secret = map(unquote_plus, decoded.split(":", 1))
        except (TypeError, binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return client_id, secret

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        """client_secret_basic, client_secret_post or private_key_jwt (RFC 7523)."""
        credentials = self._basic_credentials(request)
        if credentials is None:
            assertion_type = getattr(request, "client_assertion_type", None)
            if assertion_type == services.JWT_BEARER_ASSERTION:
                return self._authenticate_private_key_jwt(request)
            client_id = getattr(request, "client_id", None)
            secret = getattr(request, "client_secret", None)
            if not client_id or not secret:
                return False
            credentials = (client_id, secret)
        client_id, secret = credentials
        snapshot = app_cache.client(client_id)
        if snapshot is None or not snapshot.app.is_usable(request):
            return False
        request.client = snapshot.application()
        request._ciam_granted = list(snapshot.granted)
        return (
            snapshot.secret_ok(secret)
            and snapshot.app.client_type == Application.CLIENT_CONFIDENTIAL
        )

    def _authenticate_private_key_jwt(self, request: Any) -> bool:
        assertion = getattr(request, "client_assertion", None) or ""
        client_id = services.client_id_of_assertion(assertion)
        app = self._load_application(client_id, request) if client_id else None
        if app is None:
            return False
        audience = tokens.issuer_for(request) + "/oauth2/v2.0/token"
        if not services.verify_client_assertion(app, assertion, audience):
            return False
        request.client_id = app.client_id
        return True

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if self._basic_credentials(request) or getattr(request, "client_assertion", None):
            return True
        if getattr(request, "client_id", None) and getattr(request, "client_secret", None):
            return True
        app = self._load_application(request.client_id, request)
        return app is None or app.client_type == Application.CLIENT_CONFIDENTIAL

    def _load_application(self, client_id, request):
        # psycopg 3 refuses NUL bytes with a DataError (DOT only expects psycopg2's
        # ValueError): no client id contains one.
        if not isinstance(client_id, str) or "\x00" in client_id:
            return None
        # The process's app snapshot (applications.cache), exact per configuration
        # generation: no query per request.
        current = getattr(request, "client", None)
        if isinstance(current, Application) and current.client_id == client_id:
            return current if current.is_usable(request) else None
        snapshot = app_cache.client(client_id)
        if snapshot is None or not snapshot.app.is_usable(request):
            return None
        request.client = snapshot.application()
        return request.client

    # -- grants, scopes, PKCE ------------------------------------------------------------
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:
        return grant_type in ALLOWED_GRANTS.get(request.client.app_type, set())

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code" and "authorization_code" in ALLOWED_GRANTS.get(
            request.client.app_type, set()
        )

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        app = self._load_application(client_id, request)
        return app is None or app.client_type == Application.CLIENT_PUBLIC

    def _granted(self, request: Any) -> list[str]:
        """The client's granted application permissions, read once per request."""
        granted = getattr(request, "_ciam_granted", None)
        if granted is None:
            granted = scopes_module.granted_application_permissions(request.client)
            request._ciam_granted = granted
        return granted

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        if request.grant_type == "client_credentials":
            resolved = scopes_module.resolve_client_credentials_scopes(
                client, list(scopes or []), granted=self._granted(request)
            )
            if resolved is None:
                return False
            request.scopes = resolved
            return True
        return scopes_module.validate_user_scopes(client, list(scopes or []))

    def get_default_scopes(self, client_id, request, *args, **kwargs) -> list[str]:
        if request.grant_type == "client_credentials":
            return self._granted(request)
        return ["openid"]

    # -- authorization codes ---------------------------------------------------------------
    # A code is stored as its SHA-256 digest (`code_digest`): the row never holds a usable
    # code. Every lookup by code, DOT's included, goes through the digest.
    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        if not isinstance(code, str) or "\x00" in code:
            return False
        grant = (
            Grant.objects.filter(code=code_digest(code), application=client)
            .select_related("user")
            .first()
        )
        if grant is None:
            return False
        if grant.used_at is not None:
            # RFC 6749 §4.1.2: a replayed code revokes the tokens it produced.
            services.revoke_tokens_of_grant(grant)
            return False
        if grant.is_expired():
            return False
        if not self._code_bindings_hold(grant, request):
            return False
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        request.auth_time = int(grant.auth_time.timestamp()) if grant.auth_time else None
        request.sid = grant.session_id
        request.grant_instance = grant
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        return True

    def _code_bindings_hold(self, grant: Grant, request: Any) -> bool:
        """RFC 6749 §4.1.3: the token request repeats the authorization request's
        redirect_uri (always sent there; Entra requires it too). RFC 9700 §2.1.1: a wrong
        or missing PKCE verifier burns the code, so that a stolen code cannot be tried
        again."""
        if not getattr(request, "redirect_uri", None):
            raise errors.InvalidRequestError(
                description="redirect_uri is required and must match the authorization request.",
                request=request,
            )
        if not grant.code_challenge:
            return True
        verifier = getattr(request, "code_verifier", None)
        check = PKCE_METHODS.get(grant.code_challenge_method or "plain")
        if verifier and check is not None and check(verifier, grant.code_challenge):
            return True
        Grant.objects.filter(pk=grant.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not verifier:
            raise errors.MissingCodeVerifierError(request=request)
        return False

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        if not isinstance(code, str) or "\x00" in code:
            return []
        return super().get_authorization_code_scopes(
            client_id, code_digest(code), redirect_uri, request
        )

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        if not isinstance(code, str) or "\x00" in code:
            return None
        return super().get_authorization_code_nonce(
            client_id, code_digest(code), redirect_uri, request
        )

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, *args, **kwargs):
        return super().confirm_redirect_uri(
            client_id, code_digest(code), redirect_uri, client, *args, **kwargs
        )

    def get_code_challenge(self, code, request):
        return super().get_code_challenge(code_digest(code), request)

    def get_code_challenge_method(self, code, request):
        return super().get_code_challenge_method(code_digest(code), request)

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        used = Grant.objects.filter(
            code=code_digest(code), application=request.client, used_at__isnull=True
        ).update(used_at=timezone.now())
        if not used:
            raise errors.InvalidGrantError(request=request)

    def _create_authorization_code(self, request, code, expires=None):
        stored = {**code, "code": code_digest(code["code"])}
        grant = super()._create_authorization_code(request, stored, expires)
        grant.auth_time = services.auth_time_of(request.user)
        grant.session_id = getattr(request, "sid", "") or ""
        grant.save(update_fields=["auth_time", "session_id"])
        return grant

    # -- tokens -----------------------------------------------------------------------------
    def save_bearer_token(self, token, request, *args, **kwargs) -> None:
        if request.grant_type == "client_credentials":
            # An app-only token is a self-contained JWT and gets no row: resource
            # endpoints accept it on its signature, its app and the revocation deny list
            # (tokens.load_access_token), so issuing one touches no database; its
            # issuance is counted in Redis (insights).
            count_app_token(request.client.client_id, request.grant_type)
            return None
        return super().save_bearer_token(token, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs) -> None:
        super()._save_bearer_token(token, request, *args, **kwargs)
        user = getattr(request, "user", None)
        record_event(  # same transaction as the token rows (DOT's save_bearer_token)
            "token.issued",
            user_id=getattr(user, "pk", None),
            client_id=request.client.client_id,
            data={"grant": request.grant_type},
        )
        grant = getattr(request, "grant_instance", None)
        if grant is not None and request.grant_type == "authorization_code":
            checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
            family = None
            if token.get("refresh_token"):
                rt_checksum = hashlib.sha256(token["refresh_token"].encode()).hexdigest()
                family = (
                    RefreshToken.objects.filter(token_checksum=rt_checksum)
                    .values_list("token_family", flat=True)
                    .first()
                )
            Grant.objects.filter(pk=grant.pk).update(
                issued_access_token_checksum=checksum, issued_token_family=family
            )

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        # No IDToken rows (finalize_id_token): never re-verify the signed ID token to
        # look one up (DOT's default).
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=None,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        rt = request.refresh_token_instance
        lifetime = timedelta(seconds=client.refresh_token_lifetime)
        return rt.created + lifetime > timezone.now()

    def _load_access_token(self, token: str):
        return tokens.load_access_token(token)

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs) -> None:
        if tokens.revoke_app_token(token, request.client):
            return None
        return super().revoke_token(token, token_type_hint, request, *args, **kwargs)

    def validate_jwt_bearer_token(self, token, scopes, request) -> bool:
        """Our bearer JWTs are access tokens (RFC 9068), never ID tokens."""
        return self.validate_bearer_token(token, scopes, request)

    def rotate_refresh_token(self, request: Any) -> bool:
        return True

    # -- OpenID Connect ---------------------------------------------------------------------
    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        return tokens.issuer_for(request)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return claims_module.user_claims(request.user, request.client, list(request.scopes or []))

    def get_oidc_claims(self, token, token_handler, request) -> dict[str, Any]:
        data = {"sub": str(request.user.pk)}
        data.update(self.get_additional_claims(request))
        return data

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "tid",
            "oid",
            "azp",
            "sid",
            "ver",
            "preferred_username",
            "amr",
            "acr",
            *claims_module.CLAIM_SCOPES,
            "groups",
        ]

    def get_id_token_dictionary(self, token, token_handler, request):
        claims = self.get_oidc_claims(token, token_handler, request)
        app: Application = request.client
        expiration_time = timezone.now() + timedelta(seconds=app.id_token_lifetime)
        auth_time = getattr(request, "auth_time", None) or int(time.time())
        claims.update(
            iss=tokens.issuer_for(request),
            exp=int(expiration_time.timestamp()),
            iat=int(time.time()),
            auth_time=auth_time,
            jti=str(uuid.uuid4()),
            tid=tokens.tenant_id(),
            oid=str(request.user.pk),
            azp=app.client_id,
            ver="2.0",
            amr=["pwd"],
            acr="1",
        )
        for name, value in tokens.entra_profile_claims(request.user, request.scopes).items():
            claims.setdefault(name, value)
        if getattr(request, "sid", ""):
            claims["sid"] = request.sid
        roles = services.user_roles(app, request.user, getattr(request, "_ciam_roles", None))
        if roles:
            claims["roles"] = roles
        claims.update(claims_module.extension_claims(request))  # OnTokenIssuanceStart
        return claims, expiration_time

    def finalize_id_token(self, id_token, token, token_handler, request) -> str:
        claims, _expires = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        # No IDToken row: an ID token is self-contained, and nothing reads such rows
        # (RP-initiated logout verifies the id_token_hint itself, TenantLogoutView).
        return tokens.sign(dict(id_token), request.client.algorithm)

    def signed_id_token(self, token: dict[str, Any], request: Any) -> str:
        """The ID token of a refresh grant (applications.refresh): what oauthlib's
        add_id_token starts from (aud, iat, at_hash), finished by finalize_id_token."""
        id_token = {
            "aud": request.client.client_id,
            "iat": int(time.time()),
            "at_hash": _left_half_hash(token["access_token"]),
        }
        return self.finalize_id_token(id_token, token, None, request)

    def _get_key_for_token(self, token: str):
        claims = tokens.verify(token, check_exp=False)
        if claims is None:
            return None
        unverified = jws.JWS()
        unverified.deserialize(token)
        return keys.verification_key(unverified.jose_header.get("kid", ""))

    def _load_id_token(self, token: str):
        claims = tokens.verify(token)
        if claims is None or "jti" not in claims:
            return None
        return IDToken.objects.filter(jti=claims["jti"]).first()

    def get_userinfo_claims(self, request: Any) -> dict[str, Any]:
        access_token = request.access_token
        if access_token.user is None:
            raise errors.InvalidTokenError(request=request)
        request.user = access_token.user
        request.client = access_token.application
        request.scopes = access_token.scope.split()
        return self.get_oidc_claims(None, None, request)

    def validate_silent_login(self, request: Any) -> bool:
        """prompt=none: is someone signed in?"""
        return bool(request.headers.get(tokens.USER_HEADER))

    def validate_silent_authorization(self, request: Any) -> bool:
        """prompt=none: may the code be issued without showing the consent page?"""
        client = request.client
        if client is None or client.skip_authorization:
            return True
        if scopes_module.admin_consent_covers(client, list(request.scopes or [])):
            return True
        user_id = request.headers.get(tokens.USER_HEADER)
        if not user_id:
            return False
        requested = set(request.scopes or [])
        consent = Consent.objects.filter(user_id=user_id, application=client).first()
        return consent is not None and requested <= consent.scopes

    def validate_user_match(self, id_token_hint, scopes, claims, request) -> bool:
        if not id_token_hint:
            return True
        hint = tokens.verify(id_token_hint, check_exp=False)
        user = getattr(request, "user", None)
        return hint is not None and (user is None or hint.get("sub") == str(user.pk))


__all__ = ["AccessToken", "TenantOAuth2Validator"]
