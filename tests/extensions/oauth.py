"""OAuth 2.0 over real HTTP against the live platform server (requests, no test client)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

REDIRECT_URI = "http://127.0.0.1:8765/callback"


def signed_in_browser(env, user) -> requests.Session:
    from tests.applications.conftest import session_cookie_for

    with env.tenant.context():
        cookie = session_cookie_for(user)
    browser = requests.Session()
    browser.cookies.set("ciam_session", cookie, path=f"/t/{env.tenant.name}/")
    return browser


def code_flow(env, browser: requests.Session, app, secret: str) -> requests.Response:
    """Authorization code + PKCE; returns the token endpoint's response."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    answer = browser.get(
        f"{env.issuer}/oauth2/v2.0/authorize",
        params={
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile email offline_access",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    return requests.post(
        f"{env.issuer}/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(app.client_id, secret),
        timeout=10,
    )


def refresh(env, app, secret: str, refresh_token: str) -> requests.Response:
    return requests.post(
        f"{env.issuer}/oauth2/v2.0/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(app.client_id, secret),
        timeout=10,
    )


def client_credentials(env, app, secret: str) -> requests.Response:
    return requests.post(
        f"{env.issuer}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, secret),
        timeout=10,
    )


def verified(env, token: str, audience: str | None = None) -> dict:
    """Claims of a token, verified with the tenant's published JWKS."""
    client = jwt.PyJWKClient(f"{env.issuer}/discovery/v2.0/keys")
    key = client.get_signing_key_from_jwt(token)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    return jwt.decode(
        token,
        key.key,
        algorithms=[header["alg"]],
        issuer=env.issuer,
        options={"verify_aud": audience is not None},
        audience=audience,
    )
