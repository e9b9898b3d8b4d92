"""A small but real OpenID Connect provider on a loopback port, for federation tests:
discovery, authorize (the configured person signs in at once), token (code + PKCE),
JWKS and userinfo; RS256 ID tokens. It plays the part of another tenant of the platform,
which speaks the same protocol."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk


class OIDCProvider:
    def __init__(self, client_id: str = "ciam-client", client_secret: str = "ciam-secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        public = jwk.JWK.from_pem(pem)
        self.kid = public.thumbprint()
        self.jwks = {
            "keys": [
                {
                    **json.loads(public.export_public()),
                    "kid": self.kid,
                    "use": "sig",
                    "alg": "RS256",
                }
            ]
        }
        self.person: dict = {
            "sub": "partner-user-1",
            "email": "fed@example.com",
            "email_verified": True,
        }
        self.codes: dict[str, dict] = {}
        # endpoints of the discovery document to replace (a provider turned hostile)
        self.discovery_overrides: dict[str, str] = {}
        self.tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/partner"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> OIDCProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                base = provider.issuer
                if parts.path == "/partner/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": base,
                            "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token",
                            "userinfo_endpoint": f"{base}/userinfo",
                            "jwks_uri": f"{base}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                            "code_challenge_methods_supported": ["S256"],
                            **provider.discovery_overrides,
                        },
                    )
                if parts.path == "/partner/jwks":
                    return self._json(200, provider.jwks)
                if parts.path == "/partner/authorize":
                    if query.get("client_id") != provider.client_id:
                        return self._json(400, {"error": "invalid_client"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {
                        "redirect_uri": query["redirect_uri"],
                        "nonce": query.get("nonce"),
                        "challenge": query.get("code_challenge"),
                    }
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query.get("state", "")})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if parts.path == "/partner/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.tokens[token])
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/partner/token":
                    return self._json(404, {"error": "not_found"})
                if (form.get("client_id"), form.get("client_secret")) != (
                    provider.client_id,
                    provider.client_secret,
                ):
                    return self._json(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                if grant["challenge"]:
                    verifier = form.get("code_verifier", "").encode()
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                    if digest.rstrip(b"=").decode() != grant["challenge"]:
                        return self._json(400, {"error": "invalid_grant"})
                access = secrets.token_urlsafe(24)
                provider.tokens[access] = dict(provider.person)
                return self._json(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(provider.person, grant["nonce"]),
                    },
                )

        return Handler
