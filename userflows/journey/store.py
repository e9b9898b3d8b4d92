"""Journeys: server-side state of one customer journey, JSON in Redis with a short TTL.

The id is opaque (128 random bits). A browser holds it in its session; a native client
holds a continuation token naming it (journey.tokens). The journey stores the validated
authorize request once, at /oauth2/v2.0/authorize; nothing downstream re-parses a URL."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection

TTL_SECONDS = 15 * 60
SESSION_KEY = "journey_id"


@dataclass
class Journey:
    id: str
    kind: str  # "signup" | "signin" | "reset" | "profile"
    flow_id: str
    client_id: str = ""
    client_type: str = "browser"  # "browser" | "native"
    # The validated authorize request (client_id, redirect_uri, scope, state, nonce,
    # code_challenge, code_challenge_method, response_type, response_mode, prompt,
    # max_age, ui_locales, login_hint, claims) -- empty for a journey started elsewhere.
    authorize: dict[str, Any] = field(default_factory=dict)
    plan: list[dict[str, Any]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    amr: list[str] = field(default_factory=list)
    risk: str = "none"
    finished: bool = False
    token_nonce: str = ""  # the one continuation token currently valid (native)
    created: float = field(default_factory=time.time)

    # -- not stored: the request the journey is being driven from ----------------------
    def bind(self, request: Any) -> Journey:
        self.__dict__["_request"] = request
        return self

    @property
    def request(self) -> Any:
        return self.__dict__.get("_request")

    @property
    def client_ip(self) -> str:
        from ciam.clientip import client_ip

        request = self.request
        return client_ip(request) if request is not None else ""

    @property
    def login_hint(self) -> str:
        return str(self.authorize.get("login_hint") or "")

    @property
    def prompt(self) -> str:
        return str(self.authorize.get("prompt") or "")

    @property
    def ui_locales(self) -> list[str]:
        return str(self.authorize.get("ui_locales") or "").split()

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items()}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Journey:
        data = json.loads(raw)
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def _key(journey_id: str) -> str:
    return f"journey:{connection.schema_name}:{journey_id}"


def create(
    kind: str,
    flow_id: str,
    *,
    client_id: str = "",
    client_type: str = "browser",
    authorize: dict[str, Any] | None = None,
    plan: list[dict[str, Any]] | None = None,
    request: Any = None,
) -> Journey:
    journey = Journey(
        id=secrets.token_urlsafe(16),
        kind=kind,
        flow_id=str(flow_id),
        client_id=client_id,
        client_type=client_type,
        authorize=dict(authorize or {}),
        plan=list(plan or []),
    )
    journey.bind(request)
    save(journey)
    return journey


def save(journey: Journey) -> None:
    cache.set(_key(journey.id), journey.to_json(), timeout=TTL_SECONDS)


def load(journey_id: str | None, request: Any = None) -> Journey | None:
    if not journey_id or not isinstance(journey_id, str) or len(journey_id) > 64:
        return None
    raw = cache.get(_key(journey_id))
    if not raw:
        return None
    try:
        return Journey.from_json(raw).bind(request)
    except (ValueError, TypeError):
        return None


def delete(journey: Journey) -> None:
    cache.delete(_key(journey.id))


# -- the browser's journey ---------------------------------------------------------------
def of_session(request: Any) -> Journey | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    cached = request.__dict__.get("_journey")
    if cached is not None:
        return cached
    journey = load(session.get(SESSION_KEY), request)
    if journey is not None:
        request.__dict__["_journey"] = journey
    return journey


def attach(request: Any, journey: Journey) -> None:
    """Make `journey` the browser's current journey."""
    request.session[SESSION_KEY] = journey.id
    request.__dict__["_journey"] = journey.bind(request)


def detach(request: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SESSION_KEY, None)
    request.__dict__.pop("_journey", None)
