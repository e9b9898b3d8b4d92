"""Continuation tokens of the native authentication API: opaque to the client, signed,
short-lived, single-use, bound to the client, the journey (and so its flow) and the step
they continue. Each answer carries a fresh one; the one it replaces stops working."""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import cache

from . import store
from .store import Journey

SALT = "userflows.native.continuation"
MAX_AGE_SECONDS = 10 * 60


class TokenError(Exception):
    """reason: "invalid" (tampered, replayed, another client's or step's) or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue(journey: Journey, step: str) -> str:
    """A new token for `journey` at `step`; the previous one is spent. Saves the journey."""
    nonce = secrets.token_urlsafe(12)
    journey.token_nonce = nonce
    store.save(journey)
    return signing.dumps(
        {"j": journey.id, "n": nonce, "c": journey.client_id, "s": step}, salt=SALT
    )


def redeem(token: str, client_id: str, steps: tuple[str, ...], request=None) -> Journey:
    """The journey `token` continues, when it was issued to `client_id` at one of
    `steps` and not used before. Spends the token."""
    if not token or len(token) > 2048:
        raise TokenError("invalid")
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise TokenError("expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or data.get("c") != client_id or data.get("s") not in steps:
        raise TokenError("invalid")
    journey = store.load(data.get("j"), request)
    if journey is None:
        raise TokenError("expired")  # the journey outlived its TTL
    if not journey.token_nonce or journey.token_nonce != data.get("n"):
        raise TokenError("invalid")  # replayed (or an older token of this journey)
    if not cache.add(f"ct-spent:{data['n']}", 1, timeout=MAX_AGE_SECONDS):
        raise TokenError("invalid")  # two requests raced with one token: one wins
    journey.token_nonce = ""
    store.save(journey)
    return journey
