"""A real local HTTP server playing the tenant's REST API (a custom authentication
extension). Every incoming call's bearer token is verified the way a tenant's API
verifies Entra's: with the tenant's JWKS, fetched by PyJWT's PyJWKClient, checking the
signature, issuer, audience, expiry and our documented caller id."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from jwt import PyJWKClient

from extensions.client import CALLER_ID


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless `raw` is set
    raw: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    claims: dict[str, Any] | None
    token_error: str


class ExtensionAPI:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answer: Answer | Any = Answer(body={})
        self.jwks_url = ""
        self.issuer = ""
        self.audience = ""
        self._lock = threading.Lock()
        self._jwks: PyJWKClient | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real APIs

            def setup(self) -> None:
                super().setup()
                # As production servers do: without it, headers and body go in two segments
                # and the second waits for the client's delayed ACK (40 ms).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                claims, error = api.verify(self.headers.get("Authorization", ""))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                with api._lock:
                    api.received.append(Received(self.path, body, claims, error))
                answer = api.answer(body) if callable(api.answer) else api.answer
                if error:
                    answer = Answer(status=401, body={"error": error})
                if answer.delay:
                    time.sleep(answer.delay)
                data = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the platform gave up waiting (timeouts)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/extension"

    def start(self) -> ExtensionAPI:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def expect(self, *, issuer: str, audience: str) -> None:
        self.issuer, self.audience = issuer, audience
        self.jwks_url = f"{issuer}/discovery/v2.0/keys"
        self._jwks = PyJWKClient(self.jwks_url, cache_keys=True)

    def verify(self, header: str) -> tuple[dict[str, Any] | None, str]:
        if self._jwks is None:
            return None, ""
        if not header.startswith("Bearer "):
            return None, "no bearer token"
        token = header[len("Bearer ") :]
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            return None, f"invalid token: {exc}"
        if claims.get("azp") != CALLER_ID or claims.get("appid") != CALLER_ID:
            return None, "unexpected caller"
        return claims, ""

    def last(self) -> Received:
        with self._lock:
            return self.received[-1]


def answer(odata_type: str, *actions: dict[str, Any], **data: Any) -> Answer:
    return Answer(body={"data": {"@odata.type": odata_type, "actions": list(actions), **data}})


def claims_answer(claims: dict[str, Any]) -> Answer:
    return answer(
        "microsoft.graph.onTokenIssuanceStartResponseData",
        {
            "@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
            "claims": claims,
        },
    )
