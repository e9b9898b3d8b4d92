"""The browser's side of journeys: the one started at /oauth2/v2.0/authorize (registered
with applications.interaction), and the sign-up journey of the pages."""

from __future__ import annotations

from typing import Any

from . import engine, store


def start_from_authorize(request: Any, authorize: dict[str, str]) -> None:
    from ..services import flow_for_client, get_default_flow

    client_id = authorize.get("client_id", "")
    flow = flow_for_client(client_id) or get_default_flow()
    kind = "signup" if "create" in authorize.get("prompt", "").split() else "signin"
    journey = engine.start(kind, flow, request=request, client_id=client_id, authorize=authorize)
    store.attach(request, journey)


def signup_journey(request: Any, flow: Any, *, restart: bool = False) -> store.Journey:
    """The browser's sign-up journey: its current one when that is a sign-up of this flow,
    else a new one that keeps the authorize request of the current journey."""
    current = store.of_session(request)
    if (
        current is not None
        and current.kind == "signup"
        and current.flow_id == str(flow.pk)
        and not current.finished
        and not restart
    ):
        return current
    authorize = dict(current.authorize) if current is not None else {}
    client_id = current.client_id if current is not None else ""
    journey = engine.start(
        "signup", flow, request=request, client_id=client_id, authorize=authorize
    )
    store.attach(request, journey)
    return journey
