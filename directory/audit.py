"""The audit log: every admin change is recorded in the tenant's own schema."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest

from ciam import clientip

from .models import AuditEvent

SECRET_FIELDS = frozenset({"password", "secret", "client_secret", "private_key", "token"})


def snapshot(obj: models.Model | None, fields: list[str] | None = None) -> dict[str, Any] | None:
    """A JSON-safe picture of a model instance for before/after, secrets left out."""
    if obj is None:
        return None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS:
            continue
        data[field.name] = field.value_from_object(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return clientip.client_ip(request) or None


def record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. `actor` is a user, a string (a script, 'system'), or taken
    from the request."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    actor_id = getattr(actor, "pk", None) if isinstance(actor, models.Model) else None
    actor_label = (getattr(actor, "email", None) or str(actor)) if actor is not None else "system"
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        actor=actor_label[:254],
        target_type=target_type,
        target_id=target_id,
        target=target_label[:254],
        before=before,
        after=after,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:256] if request else ""),
    )
