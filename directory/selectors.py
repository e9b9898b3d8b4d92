"""Read-side queries of the directory for the admin center."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEvent


def _encode_cursor(event: AuditEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        stamp, pk = raw.split("|", 1)
        return datetime.fromisoformat(stamp), pk
    except (ValueError, UnicodeDecodeError):
        return None


def audit_events(
    filters: dict[str, Any], cursor: str = "", limit: int = 50
) -> tuple[list[AuditEvent], str | None]:
    """A page of audit events, newest first, with keyset pagination (stable under inserts
    and fast however long the log grows)."""
    qs: QuerySet[AuditEvent] = AuditEvent.objects.order_by("-occurred_at", "-id")
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"].strip())
    if filters.get("actor"):
        qs = qs.filter(actor__icontains=filters["actor"].strip())
    if filters.get("target_type"):
        qs = qs.filter(target_type=filters["target_type"].strip())
    if filters.get("since"):
        qs = qs.filter(occurred_at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(occurred_at__lt=filters["until"])
    decoded = _decode_cursor(cursor) if cursor else None
    if decoded:
        stamp, pk = decoded
        qs = qs.filter(Q(occurred_at__lt=stamp) | Q(occurred_at=stamp, id__lt=pk))
    rows = list(qs[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
