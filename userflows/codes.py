"""One-time codes kept in the session: short-lived, single-use, limited in attempts,
stored only as a keyed hash and compared in constant time."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from ciam.crypto import keyed_hash

CODE_TTL_SECONDS = 600
MAX_ATTEMPTS = 5


class CodeError(Exception):
    """Why a code was refused: 'invalid', 'expired' or 'too_many_attempts'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def issue(purpose: str, subject: str, code: str) -> dict[str, Any]:
    """The JSON-safe state of a freshly issued code (the code itself is not stored)."""
    return {
        "purpose": purpose,
        "hash": keyed_hash(f"{purpose}|{subject}|{code}"),
        "expires": time.time() + CODE_TTL_SECONDS,
        "attempts": 0,
        "used": False,
    }


def check(state: dict[str, Any] | None, purpose: str, subject: str, code: str) -> None:
    """Raise CodeError unless `code` matches; counts the attempt and burns the code on
    success or once the attempts are exhausted. Mutates `state`."""
    if not state or state.get("purpose") != purpose or state.get("used"):
        raise CodeError("invalid")
    if time.time() > state["expires"]:
        raise CodeError("expired")
    if state["attempts"] >= MAX_ATTEMPTS:
        raise CodeError("too_many_attempts")
    state["attempts"] += 1
    candidate = keyed_hash(f"{purpose}|{subject}|{code.strip().replace(' ', '')}")
    if not hmac.compare_digest(candidate, state["hash"]):
        if state["attempts"] >= MAX_ATTEMPTS:
            state["used"] = True
            raise CodeError("too_many_attempts")
        raise CodeError("invalid")
    state["used"] = True
