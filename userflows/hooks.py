"""Hook points of the user flow steps, where custom authentication extensions plug in
(attribute collection start / submit, one-time passcode send). Extensions register a
callable explicitly with `register(point, fn)`; nothing registers by import side effect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ATTRIBUTE_COLLECTION_START = "attribute_collection_start"
ATTRIBUTE_COLLECTION_SUBMIT = "attribute_collection_submit"
OTP_SEND = "otp_send"
POINTS = (ATTRIBUTE_COLLECTION_START, ATTRIBUTE_COLLECTION_SUBMIT, OTP_SEND)

_registry: dict[str, list[Callable[..., dict[str, Any] | None]]] = {p: [] for p in POINTS}


def register(point: str, fn: Callable[..., dict[str, Any] | None]) -> None:
    if point not in _registry:
        raise ValueError(f"Unknown hook point {point!r}")
    _registry[point].append(fn)


def unregister(point: str, fn: Callable[..., dict[str, Any] | None]) -> None:
    _registry[point].remove(fn)


def run(point: str, **kwargs: Any) -> dict[str, Any]:
    """Call the hooks of `point` in order and merge what they return. A hook may raise
    django.core.exceptions.ValidationError to refuse the step. For OTP_SEND a hook that
    returns {"handled": True} has delivered the code itself."""
    merged: dict[str, Any] = {}
    for fn in _registry[point]:
        merged.update(fn(**kwargs) or {})
    return merged
