"""Writing events into the outbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ciam.clientip import client_ip

from .models import Event


def record_event(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user_id: Any = None,
    client_id: str = "",
    flow_id: Any = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event. Call inside the transaction of the step it describes, so that the
    event exists exactly when the step's effect does."""
    ip = client_ip(request) or None
    return Event.objects.create(
        kind=kind,
        user_id=user_id,
        client_id=client_id or "",
        flow_id=flow_id,
        ip_address=ip or None,
        data=data or {},
    )
