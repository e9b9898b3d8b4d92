"""Writing events: the outbox (one row in the caller's transaction) and the Redis counter
of app-only token issuances (client credentials, a path that touches no database).

Event kinds and their data (docs/insights.md lists each one's delivery guarantee):

* ``signup.completed`` — data.method ("password", "email_otp", "federated"), data.idp
* ``signin.succeeded`` — data.method, data.client_type ("browser", "native")
* ``signin.failed`` — data.method, data.reason, data.client_type
* ``mfa.challenge`` — data.method ("totp", "email", "recovery_codes", "passkey"),
  data.result ("success", "failure")
* ``password.reset``, ``account.deleted``
* ``token.issued`` — client_id, data.grant (user grants; app-only grants are counted by
  `count_app_token`)"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from . import enrich
from .models import Event

logger = logging.getLogger(__name__)

# The data key that becomes the event's `detail` dimension, per kind.
DETAIL_KEYS = {
    "signin.succeeded": "client_type",
    "signin.failed": "reason",
    "mfa.challenge": "result",
    "token.issued": "grant",
    "signup.completed": "idp",
}
TOKEN_COUNTER_TTL = 3 * 24 * 3600


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value not in (None, "") else ""


def record_event(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user_id: Any = None,
    client_id: str = "",
    flow_id: Any = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime.datetime | None = None,
    user_agent: str | None = None,
    ip: str | None = None,
) -> Event:
    """Append one event. Call inside the transaction of the step it describes, so that the
    event exists exactly when the step's effect does. OS, browser and country are derived
    here from the request (or the explicit `user_agent` / `ip`)."""
    data = dict(data or {})
    address = ip if ip is not None else enrich.client_address(request)
    if user_agent is None:
        user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    os_name, browser = enrich.parse_user_agent(user_agent or "")
    detail_key = DETAIL_KEYS.get(kind)
    return Event.objects.create(
        kind=kind,
        user_id=user_id,
        client_id=client_id or "",
        flow_id=flow_id,
        ip_address=address or None,
        occurred_at=occurred_at or timezone.now(),
        data=data,
        method=_text(data.get("method"), 30),
        detail=_text(data.get(detail_key), 40) if detail_key else "",
        os=os_name,
        browser=browser,
        country=enrich.country_of(address),
    )


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def token_counter_prefix(schema: str) -> str:
    """Redis keys of a tenant's token counters (the cache's key prefix keeps test workers
    and deployments sharing a Redis apart)."""
    return f"insights:{settings.CACHES['default'].get('KEY_PREFIX', '')}:tokens:{schema}"


def token_counter_key(schema: str, hour: datetime.datetime) -> str:
    return f"{token_counter_prefix(schema)}:{hour:%Y%m%d%H}"


def count_app_token(client_id: str, grant: str, *, at: datetime.datetime | None = None) -> None:
    """Count one token issuance in Redis, per (tenant, hour) hash and (app, grant) field,
    without touching the database; `drain_token_counters` copies the counters into
    `HourlyCount`. At most once: a Redis outage loses these counts (never the token)."""
    hour = (at or timezone.now()).astimezone(datetime.UTC)
    key = token_counter_key(connection.schema_name, hour)
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hincrby(key, f"{client_id}\x1f{grant}", 1)
        pipe.expire(key, TOKEN_COUNTER_TTL)
        pipe.execute()
    except Exception:  # never fail a token for a statistic
        logger.warning("Could not count a token issuance in Redis", exc_info=True)
