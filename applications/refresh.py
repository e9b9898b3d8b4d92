"""The refresh-token grant (RFC 6749 §6), with rotation and reuse detection.

A refresh is the busiest user-token path: every signed-in app refreshes about once an
hour per user. DOT's path ran 22 SQL statements (the old token and its access token read
twice around a savepoint, the access token deleted, the old row rewritten, an ID-token
row inserted) and cost more in building those queries than in running them. Here one
refresh is two statements inside one transaction:

1. consume: one UPDATE ... RETURNING marks the presented refresh token revoked (only if
   it is live and belongs to the authenticated client) and, in the same statement,
   deletes the access token it was paired with, returning the user, family and scope;
2. issue: one INSERT of the new access token row chained to the INSERT of the new
   refresh token row (same family).

Rules kept exactly (RFC 9700 §4.14.2): the refresh token rotates on every use; a
presented token that was already used (or revoked) is a reuse, which revokes its whole
family (all live refresh tokens, and their access tokens); two requests racing with the
same token are serialised by the row lock of step 1, the second one sees it used and
revokes the family the first one just extended. A token of another client, past the
app's refresh lifetime, or whose access token was revoked on its own is refused
(`invalid_grant`) and left as it was (the transaction is rolled back)."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from oauthlib.common import Request as OauthlibRequest
from oauthlib.oauth2.rfc6749.utils import is_secure_transport

from directory.models import User

from . import tokens
from .models import AccessToken, AppRoleAssignment, RefreshToken

_AT = AccessToken._meta.db_table
_RT = RefreshToken._meta.db_table
_ROLES = AppRoleAssignment._meta.db_table
_USERS = User._meta.db_table
_USER_FIELDS = User._meta.concrete_fields

_CONSUME = f"""
WITH live AS (
    SELECT id, access_token_id FROM {_RT}
    WHERE token_checksum = %(checksum)s AND revoked IS NULL AND application_id = %(app)s
    FOR UPDATE
), old AS (
    UPDATE {_RT} r SET revoked = %(now)s, updated = %(now)s, access_token_id = NULL
    FROM live WHERE r.id = live.id
    RETURNING r.id, r.user_id, live.access_token_id, r.token_family, r.created, r.resource
), gone AS (
    DELETE FROM {_AT} a USING old WHERE a.id = old.access_token_id
    RETURNING a.scope, a.expires
)
SELECT old.id, old.token_family, old.created, old.resource, gone.scope, gone.expires,
       ARRAY(SELECT value FROM {_ROLES} WHERE application_id = %(app)s
             AND user_id = old.user_id ORDER BY value),
       {{user_columns}}
FROM old LEFT JOIN gone ON TRUE JOIN {_USERS} u ON u.id = old.user_id
"""

_CONSUME = _CONSUME.replace("{user_columns}", ", ".join(f'u."{f.column}"' for f in _USER_FIELDS))

_ISSUE = f"""
WITH new_access AS (
    INSERT INTO {_AT} (user_id, source_refresh_token_id, token, token_checksum, id_token_id,
                       application_id, expires, scope, resource, created, updated)
    VALUES (%(user)s, %(old)s, '', %(at_checksum)s, NULL, %(app)s, %(expires)s, %(scope)s,
            %(resource)s, %(now)s, %(now)s)
    RETURNING id
)
INSERT INTO {_RT} (user_id, token, token_checksum, application_id, access_token_id,
                   token_family, resource, created, updated, revoked)
SELECT %(user)s, '', %(rt_checksum)s, %(app)s, new_access.id, %(family)s, %(resource)s,
       %(now)s, %(now)s, NULL
FROM new_access
"""

# DOT's rule, kept: a live refresh token dies this long after its access token expired.
_REFRESH_AFTER_ACCESS_EXPIRY = timedelta(days=14)


class GrantError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def checksum_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_response(request: HttpRequest, oauth_request: OauthlibRequest) -> HttpResponse:
    """The token endpoint's answer to a refresh_token grant (`oauth_request` carries the
    parsed form and headers)."""
    cors_origin = None
    try:
        body = _refresh(request, oauth_request)
        status = 200
        cors_origin = _allowed_origin(oauth_request)
    except GrantError as error:
        body = {"error": error.error, "error_description": error.description}
        status = error.status
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    if cors_origin:
        response["Access-Control-Allow-Origin"] = cors_origin
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _allowed_origin(oauth_request: OauthlibRequest) -> str | None:
    """CORS for a SPA's own origin, as oauthlib's grants answer it on success."""
    origin = oauth_request.headers.get("Origin")
    if not origin or not is_secure_transport(origin):
        return None
    client = oauth_request.client
    from .validator import TenantOAuth2Validator

    allowed = TenantOAuth2Validator().is_origin_allowed(client.client_id, origin, oauth_request)
    return origin if allowed else None


def _authenticate(oauth_request: OauthlibRequest, grant_type: str = "refresh_token") -> Any:
    from .validator import ALLOWED_GRANTS, TenantOAuth2Validator

    validator = TenantOAuth2Validator()
    if validator.client_authentication_required(oauth_request):
        if not validator.authenticate_client(oauth_request):
            raise GrantError("invalid_client", "Client authentication failed.", 401)
    elif not validator.authenticate_client_id(oauth_request.client_id, oauth_request):
        raise GrantError("invalid_client", "Client authentication failed.", 401)
    client = oauth_request.client
    if grant_type not in ALLOWED_GRANTS.get(client.app_type, set()):
        raise GrantError("unauthorized_client", f"This app may not use the {grant_type} grant.")
    return validator


def _refresh(request: HttpRequest, oauth_request: OauthlibRequest) -> dict[str, Any]:
    presented = oauth_request.refresh_token
    if not presented:
        raise GrantError("invalid_request", "Missing refresh_token parameter.")
    validator = _authenticate(oauth_request)
    client = oauth_request.client
    if "\x00" in presented:
        raise GrantError("invalid_grant", "The refresh token is invalid.")
    checksum = checksum_of(presented)
    now = datetime.now(tz=UTC)
    try:
        with transaction.atomic():
            return _rotate(request, oauth_request, validator, checksum, now)
    except _Unusable:
        # Nothing was written: the token is not a live token of this client.
        _revoke_family_if_replayed(checksum, client)
        raise GrantError("invalid_grant", "The refresh token is invalid.") from None


class _Unusable(Exception):
    pass


def _rotate(
    request: HttpRequest,
    oauth_request: OauthlibRequest,
    validator: Any,
    checksum: str,
    now: datetime,
) -> dict[str, Any]:
    client = oauth_request.client
    with connection.cursor() as cursor:
        cursor.execute(_CONSUME, {"now": now, "checksum": checksum, "app": client.pk})
        row = cursor.fetchone()
    if row is None:
        raise _Unusable
    old_id, family, created, resource, original_scope, access_expires, roles = row[:7]
    user = _user_from_row(row[7:])
    # A GrantError raised below leaves the atomic block: the consumption is rolled back.
    lifetime = timedelta(seconds=client.refresh_token_lifetime)
    if (
        original_scope is None  # its access token was revoked on its own
        or created + lifetime <= now
        or access_expires + _REFRESH_AFTER_ACCESS_EXPIRY <= now
    ):
        raise GrantError("invalid_grant", "The refresh token is invalid or expired.")
    original = original_scope.split()
    scopes = original
    if oauth_request.scope:
        scopes = oauth_request.scope.split()
        if not set(scopes) <= set(original):
            raise GrantError("invalid_scope", "The scope exceeds the original grant.")
    oauth_request._ciam_roles = {client.pk: list(roles)}
    body = _issue(oauth_request, validator, user, scopes)
    with connection.cursor() as cursor:
        cursor.execute(
            _ISSUE,
            {
                "user": user.pk,
                "old": old_id,
                "at_checksum": checksum_of(body["access_token"]),
                "rt_checksum": checksum_of(body["refresh_token"]),
                "app": client.pk,
                "expires": now + timedelta(seconds=body["expires_in"]),
                "scope": body["scope"],
                # jsonb comes back as its text (Django's psycopg 3 loader)
                "resource": resource if isinstance(resource, str) else json.dumps(resource or []),
                "family": family,
                "now": now,
            },
        )
    return body


def _revoke_family_if_replayed(checksum: str, client: Any) -> None:
    """If the presented token is one of this client's used or revoked tokens, this is a
    replay: revoke its whole family (RFC 9700 §4.14.2), as DOT does."""
    family = (
        RefreshToken.objects.filter(
            token_checksum=checksum, application_id=client.pk, revoked__isnull=False
        )
        .values_list("token_family", flat=True)
        .first()
    )
    if family is not None:
        RefreshToken.revoke_family(family)


def issue_new_family(oauth_request: OauthlibRequest, user: User, scopes: list[str]) -> dict:
    """Tokens of a new sign-in that did not pass through an authorization code (the
    device grant): a JWT access token and a refresh token starting a new family, written
    in one statement, and an ID token when `openid` is among the scopes."""
    import uuid

    from .validator import TenantOAuth2Validator

    client = oauth_request.client
    now = datetime.now(tz=UTC)
    body = _issue(oauth_request, TenantOAuth2Validator(), user, scopes)
    with connection.cursor() as cursor:
        cursor.execute(
            _ISSUE,
            {
                "user": user.pk,
                "old": None,
                "at_checksum": checksum_of(body["access_token"]),
                "rt_checksum": checksum_of(body["refresh_token"]),
                "app": client.pk,
                "expires": now + timedelta(seconds=body["expires_in"]),
                "scope": body["scope"],
                "resource": "[]",
                "family": uuid.uuid4(),
                "now": now,
            },
        )
    return body


def json_response(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def authenticate(oauth_request: OauthlibRequest, grant_type: str) -> None:
    """Client authentication of the token endpoint (secret, assertion, or a public
    client's id), then whether its app type may use `grant_type`; GrantError if not."""
    _authenticate(oauth_request, grant_type)


def _user_from_row(values: tuple) -> User:
    """The user row read by the consume statement, as Django would have loaded it."""
    converted = []
    for field, value in zip(_USER_FIELDS, values, strict=True):
        if value is not None and hasattr(field, "from_db_value"):
            value = field.from_db_value(value, None, connection)
        converted.append(value)
    return User.from_db(connection.alias, [f.attname for f in _USER_FIELDS], converted)


def _issue(
    oauth_request: OauthlibRequest, validator: Any, user: User, scopes: list[str]
) -> dict[str, Any]:
    client = oauth_request.client
    oauth_request.user = user
    oauth_request.scopes = scopes
    oauth_request.grant_type = oauth_request.grant_type or "refresh_token"
    expires_in = int(client.access_token_lifetime)
    oauth_request.expires_in = expires_in
    body: dict[str, Any] = {
        "access_token": tokens.access_token_generator(oauth_request),
        "expires_in": expires_in,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
        "refresh_token": secrets.token_urlsafe(48),
    }
    if "openid" in scopes:
        body["id_token"] = validator.signed_id_token(body, oauth_request)
    return body
