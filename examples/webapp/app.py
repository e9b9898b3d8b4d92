"""A sample web app that signs users in against a CIAM tenant with Authlib, a standard
OpenID Connect client library: discovery, authorization code with PKCE, ID token
validation against the tenant's JWKS, userinfo, refresh and RP-initiated logout.

It uses only the standard library's WSGI server plus Authlib and requests, so it runs
from the project's virtualenv. See README.md."""

from __future__ import annotations

import html
import json
import os
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import make_server

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

ISSUER = os.environ.get("CIAM_ISSUER", "http://localhost:8000/t/contoso").rstrip("/")
CLIENT_ID = os.environ.get("CLIENT_ID", "")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "")
PORT = int(os.environ.get("PORT", "5000"))
REDIRECT_URI = f"http://localhost:{PORT}/callback"
SCOPE = "openid profile email offline_access"

# Server-side sessions in memory: the cookie holds only a random id.
SESSIONS: dict[str, dict] = {}


def discover() -> dict:
    config = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
    if config["issuer"] != ISSUER:
        raise RuntimeError(f"issuer mismatch: {config['issuer']} != {ISSUER}")
    return config


def oauth() -> OAuth2Session:
    return OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


def page(body: str) -> tuple[str, list, bytes]:
    doc = f"<!doctype html><title>CIAM sample</title><body>{body}</body>"
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], doc.encode()


def redirect(location: str, headers: list | None = None) -> tuple[str, list, bytes]:
    return "302 Found", [("Location", location), *(headers or [])], b""


def application(environ, start_response):
    cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    sid = cookies["sample_sid"].value if "sample_sid" in cookies else None
    session = SESSIONS.get(sid or "")
    extra = []
    if session is None:
        sid = secrets.token_urlsafe(24)
        session = SESSIONS[sid] = {}
        extra.append(("Set-Cookie", f"sample_sid={sid}; HttpOnly; Path=/; SameSite=Lax"))
    path = environ.get("PATH_INFO", "/")
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    status, headers, body = route(path, query, session)
    start_response(status, headers + extra)
    return [body]


def route(path: str, query: dict, session: dict):
    config = discover()
    if path == "/login":
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = oauth().create_authorization_url(
            config["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        session.update(verifier=verifier, nonce=nonce, state=state)
        return redirect(url)
    if path == "/callback":
        if "error" in query:
            return page(f"<p>Sign-in failed: {html.escape(query['error'])}</p>")
        if query.get("state") != session.get("state"):
            return page("<p>State mismatch.</p>")
        client = oauth()
        token = client.fetch_token(
            config["token_endpoint"], code=query["code"], code_verifier=session["verifier"]
        )
        keys = JsonWebKey.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
        claims = jwt.decode(
            token["id_token"],
            keys,
            claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": ISSUER}},
            claims_params={"nonce": session["nonce"], "client_id": CLIENT_ID},
        )
        claims.validate()
        session.update(token=token, claims=dict(claims))
        return redirect("/")
    if path == "/refresh" and "token" in session:
        session["token"] = oauth().refresh_token(
            config["token_endpoint"], refresh_token=session["token"]["refresh_token"]
        )
        return redirect("/")
    if path == "/logout" and "token" in session:
        id_token = session["token"]["id_token"]
        session.clear()
        params = urlencode(
            {"id_token_hint": id_token, "post_logout_redirect_uri": f"http://localhost:{PORT}/"}
        )
        return redirect(f"{config['end_session_endpoint']}?{params}")
    if "token" in session:
        userinfo = requests.get(
            config["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {session['token']['access_token']}"},
            timeout=10,
        ).json()
        claims = html.escape(json.dumps(session["claims"], indent=2))
        info = html.escape(json.dumps(userinfo, indent=2))
        return page(
            f"<h1>Signed in</h1><h2>ID token claims</h2><pre>{claims}</pre>"
            f"<h2>Userinfo</h2><pre>{info}</pre>"
            "<p><a href='/refresh'>Refresh tokens</a> · <a href='/logout'>Sign out</a></p>"
        )
    tenant = html.escape(ISSUER)
    return page(f"<h1>CIAM sample</h1><p>Tenant: {tenant}</p><p><a href='/login'>Sign in</a></p>")


if __name__ == "__main__":
    if not CLIENT_ID:
        raise SystemExit("Set CLIENT_ID and CLIENT_SECRET (see README.md).")
    print(f"Sample app on http://localhost:{PORT}/ against {ISSUER}")
    make_server("localhost", PORT, application).serve_forever()
