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


# -- bridge to userflows.extension_points (custom authentication extensions) ---------------
# The journey engine replaces these pages' steps; until then they fire the extension
# points from here, as the engine will.
class Blocked(Exception):
    """An extension ended the journey: show `title` / `message` on a block page."""

    def __init__(self, title: str = "", message: str = "") -> None:
        super().__init__(message)
        self.title, self.message = title, message


def journey_context(request: Any, flow: Any, email: str = "", attributes: Any = None) -> Any:
    """The extension_points.JourneyContext of a sign-up page request."""
    from applications.tokens import tenant_id

    from . import context
    from .extension_points import JourneyContext

    ctx = context.get_context(request)
    session = getattr(request, "session", None)
    return JourneyContext(
        tenant_id=tenant_id(),
        issuer=getattr(request, "tenant_base_url", ""),
        journey_id=(session.session_key if session is not None else "") or "",
        flow_id=str(flow.pk) if flow is not None else None,
        client_id=ctx.client_id,
        client_type="browser",
        email=email,
        ui_locale=getattr(request, "LANGUAGE_CODE", "") or "",
        client_ip=request.META.get("REMOTE_ADDR", "") or "",
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
        attributes=dict(attributes or {}),
    )
